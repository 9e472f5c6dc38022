"""ex07's Keras CNN on the trusted side: the allowlist, the model read as data, the layer
working (shapes and parameters), the compile settings, and the judge that has a trusted
child process train the model.
"""
