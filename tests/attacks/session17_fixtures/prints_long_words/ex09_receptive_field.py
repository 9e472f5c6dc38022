"""Every function prints 1,000 Hangul syllables with no space and raises 600 more: the text
report once took a second per wrapped paragraph (minutes per report) to cut such words."""
def _p(*a, **k):
    print('가' * 1000)
    raise ValueError('나' * 600)

receptive_field = _p
conv2d_multiply_adds = _p
pointwise_conv = _p
