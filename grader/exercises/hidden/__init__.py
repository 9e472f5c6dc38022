"""What several exercises' hidden parts share, kept back like them: generated cases and their
runners (cases, properties, examples), window arithmetic (windows), the pictures' answers and
the layer arithmetic that answers ex06 (arithmetic, which ex07's table uses when present).
"""
