"""Messages that matplotlib would parse as mathtext if the pictures let it: a syntax error in
`$...$` stops a figure's drawing (it once made `grade --pictures` exit 3)."""


def filter_response(patch, kernel):
    raise ValueError(r"$\frac{$ $\sqrt{$")


def convolve2d(image, kernel):
    raise ValueError(r"$\frac{a}{$ unbalanced $x^{$ " + r"$\sqrt{" * 200 + "$")
