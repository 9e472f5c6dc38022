"""What the classic mistakes of ex08's backward passes return, so the feedback can name them.

Each candidate is the reference gradient with one step changed (the kernel not flipped, the
upstream gradient not dilated by the stride, the padding not cropped off, the bias gradient
not summed over the batch, a pooling window's gradient sent to every cell or to every tied
maximum, overlapping windows overwriting each other). A learner's d_x, d_kernel and d_bias are
each compared with the candidates of their own; only the sentences that match are shown.
"""

from __future__ import annotations

import numpy as np

from grader.checks import Misconception, check_array, check_parts, describe_call
from grader.exercises.ex08.hidden import reference as ref
from grader.exercises.hidden import windows
from grader.failures import LearnerRaised, NamedMistake
from grader.i18n import N_, _


def _crop_mistakes(padded: np.ndarray, pads, height: int, width: int) -> list[Misconception]:
    """d_x cropped at the wrong place: all at the end, or the halves swapped."""
    top, bottom, left, right = pads
    found = []
    if top or left:
        found.append(
            Misconception(
                _(
                    "you cropped the padding from the bottom/right only: the "
                    "forward pass put the smaller half of each total on the "
                    "top/left, so d_x is d_xp[:, top:top + H, left:left + W]"
                ),
                padded[:, :height, :width],
            )
        )
    if (top, left) != (bottom, right):
        found.append(
            Misconception(
                _(
                    "you cropped the padding from the wrong sides: the smaller "
                    "half of 'same' padding is on the top/left"
                ),
                padded[:, bottom : bottom + height, right : right + width],
            )
        )
    return found


OVERWRITTEN = N_(
    "d_x was assigned (=) where it must add (+=): a pixel that several windows (or kernel "
    "cells) read gets the sum of their shares, but yours keeps only the share written last"
)


def input_mistakes(d_out, x, kernel, strides, padding) -> tuple[list[Misconception], dict]:
    """Wrong d_x values and shapes, each with its sentence."""
    height, width = x.shape[1:3]
    f_h, f_w = kernel.shape[:2]
    pads = windows.tf_pads(height, width, (f_h, f_w), strides, padding)
    s_h, s_w = windows.pair(strides)
    grad = lambda **change: ref.input_gradient(d_out, x.shape, kernel, strides, padding, **change)
    found = []
    if f_h > 1 or f_w > 1:
        found.append(
            Misconception(
                _(
                    "d_x uses the kernel as it is: each output sends its gradient "
                    "back to the cells it read, which, written as one "
                    "correlation over d_out, takes the kernel flipped, its "
                    "channel axes swapped (kernel[::-1, ::-1].transpose(0, 1, 3, 2))"
                ),
                grad(flip=False),
            )
        )
    if s_h > 1 or s_w > 1:
        found.append(
            Misconception(
                _(
                    "the stride does not dilate the upstream gradient: output "
                    "(i, j) read the window at row i * S_h, column j * S_w, so "
                    "its gradient goes back there (S - 1 zeros between the "
                    "cells of d_out), not to (i, j)"
                ),
                grad(dilated=False),
            )
        )
    padded = grad(crop=False)
    found += _crop_mistakes(padded, pads, height, width)
    top, _bottom, left, _right = pads
    for by_kernel_cell in (False, True):
        found.append(
            Misconception(
                OVERWRITTEN,
                ref.overwritten(d_out, padded.shape, kernel, (s_h, s_w), by_kernel_cell)[
                    :, top : top + height, left : left + width
                ],
            )
        )
    if x.dtype == np.uint8:
        found.append(
            Misconception(
                _(
                    "your d_x wrapped around modulo 256: it was built with x's "
                    "dtype uint8 (np.zeros_like(x)); gradients are floats"
                ),
                np.mod(np.trunc(grad()).astype(np.int64), 256),
            )
        )
    shapes: dict[tuple, str] = {}
    if padded.shape != x.shape:
        windows.name_shape(
            shapes,
            padded.shape,
            _(
                "d_x still has the padding: crop it off, a "
                "padded zero is not an input (d_x has x's "
                "shape)"
            ),
        )
    out_h, out_w = d_out.shape[1:3]
    reached = (x.shape[0], (out_h - 1) * s_h + f_h, (out_w - 1) * s_w + f_w, x.shape[3])
    if reached != x.shape and reached != padded.shape:
        windows.name_shape(
            shapes,
            reached,
            _(
                "d_x covers only the rows and columns the windows "
                "reached; it has x's shape, and cells no window "
                "read get 0"
            ),
        )
    return found, shapes


def kernel_mistakes(d_out, x, kernel, strides, padding) -> list[Misconception]:
    """Wrong d_kernel values, each with its sentence."""
    grad = lambda **change: ref.kernel_gradient(d_out, x, kernel.shape, strides, padding, **change)
    expected = grad()
    found = [
        Misconception(
            _(
                "d_kernel is flipped: d_kernel[a, b] pairs d_out[i, j] with the "
                "input under kernel cell (a, b), x[i*S_h + a, j*S_w + b]"
            ),
            expected[::-1, ::-1],
        )
    ]
    if max(windows.pair(strides)) > 1:
        found.append(
            Misconception(
                _(
                    "d_kernel ignores the stride: kernel cell (a, b) met the "
                    "input at rows a, a + S_h, a + 2 S_h, ..., not at every row"
                ),
                grad(dilated=False),
            )
        )
    top, bottom, left, right = windows.tf_pads(
        x.shape[1], x.shape[2], kernel.shape[:2], strides, padding
    )
    if top or left:
        found.append(
            Misconception(
                _(
                    "d_kernel pairs d_out with an input padded in the wrong place: "
                    "use the padded input of the forward pass, the smaller half "
                    "of 'same' padding on the top/left"
                ),
                grad(pads=(0, top + bottom, 0, left + right)),
            )
        )
    if x.shape[0] > 1:
        found.append(
            Misconception(
                _(
                    "d_kernel holds the first image only: the same kernel "
                    "served every image, so sum its gradient over the batch "
                    "axis N"
                ),
                grad(batch_summed=False),
            )
        )
        found.append(
            Misconception(
                _(
                    "d_kernel is averaged over the batch: the gradient of a sum "
                    "is the sum of the gradients, so add the images' shares"
                ),
                expected / x.shape[0],
            )
        )
    return found


def bias_mistakes(d_out) -> tuple[list[Misconception], dict]:
    """Wrong d_bias values and shapes, each with its sentence."""
    d_out = np.asarray(d_out, dtype=np.float64)
    summed = _(
        "d_bias[k] is d_out[..., k] summed over N, H_out and W_out: bias[k] was added to "
        "every cell of output channel k, in every image"
    )
    found = [
        Misconception(
            _("d_bias is averaged; {summed}").format(summed=summed), d_out.mean(axis=(0, 1, 2))
        )
    ]
    if d_out.shape[0] > 1:
        found.append(
            Misconception(
                _("d_bias holds the first image only; {summed}").format(summed=summed),
                d_out[0].sum(axis=(0, 1)),
            )
        )
        found.append(
            Misconception(
                _(
                    "d_bias is averaged over the batch: the images' shares add up, they are "
                    "not averaged; {summed}"
                ).format(summed=summed),
                d_out.sum(axis=(1, 2)).mean(axis=0),
            )
        )
    batch, out_h, out_w, c_out = d_out.shape
    shapes: dict[tuple, str] = {}
    windows.name_shape(
        shapes,
        (batch, c_out),
        _("d_bias is not summed over the batch axis N; {summed}").format(summed=summed),
    )
    windows.name_shape(
        shapes,
        (out_h, out_w, c_out),
        _("d_bias is summed over N only; {summed}").format(summed=summed),
    )
    windows.name_shape(
        shapes,
        (),
        _("d_bias is summed over the channels too: one number per filter, shape (C_out,)"),
    )
    shapes.pop((c_out,), None)
    return found, shapes


def _name_misplaced_parts(call: str, d_x, d_kernel, d_bias, x_shape, kernel_shape) -> None:
    """The three gradients in the wrong order, or d_bias as one number, named before values."""
    shape = lambda value: getattr(value, "shape", None)
    if shape(d_x) == kernel_shape != x_shape and shape(d_kernel) == x_shape:
        raise NamedMistake(
            _(
                "{call}: d_x has the kernel's shape and d_kernel the input's: return "
                "the gradients in the order (d_x, d_kernel, d_bias)"
            ).format(call=call)
        )
    if isinstance(d_bias, (int, float, np.number)) and not isinstance(d_bias, bool):
        raise NamedMistake(
            _(
                "{call}: d_bias is one number; it is summed over the channels too: "
                "one number per filter, shape (C_out,)"
            ).format(call=call)
        )


def check_conv_backward(learner, d_out, x, kernel, strides=1, padding="valid") -> None:
    """Grade `learner.conv_backward(...)`: d_x, d_kernel and d_bias, each with its mistakes."""
    kwargs = {"strides": strides, "padding": padding}
    call = describe_call("conv_backward", d_out, x, kernel, **kwargs)
    try:
        got = learner.conv_backward(d_out, x, kernel, **kwargs)
    except LearnerRaised as raised:
        hint = windows.hint_for_raised(raised.message, padding)
        if hint:
            raise NamedMistake(f"{raised.feedback}\n{hint}") from None
        raise
    d_x, d_kernel, d_bias = check_parts(got, ("d_x", "d_kernel", "d_bias"), call=call)
    expected = ref.conv_backward(d_out, x, kernel, strides, padding)
    _name_misplaced_parts(call, d_x, d_kernel, d_bias, x.shape, kernel.shape)
    found, shapes = input_mistakes(d_out, x, kernel, strides, padding)
    check_array(
        d_x,
        expected[0],
        call=f"{call} d_x",
        floating=True,
        misconceptions=found,
        shape_feedback=shapes,
    )
    check_array(
        d_kernel,
        expected[1],
        call=f"{call} d_kernel",
        floating=True,
        misconceptions=kernel_mistakes(d_out, x, kernel, strides, padding),
    )
    found, shapes = bias_mistakes(d_out)
    check_array(
        d_bias,
        expected[2],
        call=f"{call} d_bias",
        floating=True,
        misconceptions=found,
        shape_feedback=shapes,
    )


def pool_mistakes(d_out, x, pool_size, strides, padding) -> list[Misconception]:
    """Wrong max-pooling gradients, each with its sentence (only those that differ here)."""
    grad = lambda **change: ref.pool_backward(d_out, x, pool_size, strides, padding, **change)
    found = [
        Misconception(
            _(
                "every cell of a window got the window's gradient: only the cell that "
                "won the max changed the output, so only it gets d_out (the others get "
                "0)"
            ),
            grad(route="every_cell"),
        ),
        Misconception(
            _(
                "your gradient is average pooling's (d_out / (F_h * F_w) to every cell); "
                "max pooling sends d_out to the winning cell only"
            ),
            grad(route="average"),
        ),
        Misconception(
            _(
                "every tied maximum got the gradient: where several cells share the max, "
                "only one of them was taken, the first in row-major order (as "
                "TensorFlow does; np.argmax finds it)"
            ),
            grad(route="all_ties"),
        ),
        Misconception(
            _(
                "ties went to the last maximum of the window; TensorFlow takes the first "
                "in row-major order (np.argmax, or a strict > when you scan)"
            ),
            grad(route="last"),
        ),
        Misconception(
            _(
                "overlapping windows overwrite each other's gradient: a cell that wins "
                "two windows gets both shares, so add (+=, np.add.at) instead of "
                "assigning"
            ),
            grad(accumulate=False),
        ),
        Misconception(
            _(
                "a padded cell won the max and took the gradient: with 'same' padding, "
                "pad with -inf (as in ex05) so that every gradient lands on a real cell"
            ),
            grad(fill=0.0),
        ),
    ]
    return found


def check_pool_backward(learner, d_out, x, pool_size=(2, 2), strides=None, padding="valid") -> None:
    """Grade `learner.max_pool_backward(...)` against the reference, naming a mistake."""
    kwargs = {"pool_size": pool_size, "strides": strides, "padding": padding}
    call = describe_call("max_pool_backward", d_out, x, **kwargs)
    try:
        got = learner.max_pool_backward(d_out, x, **kwargs)
    except LearnerRaised as raised:
        hint = windows.hint_for_raised(raised.message, padding)
        if hint:
            raise NamedMistake(f"{raised.feedback}\n{hint}") from None
        raise
    height, width = x.shape[1:3]
    window = windows.pair(pool_size)
    pads = windows.tf_pads(
        height, width, window, pool_size if strides is None else strides, padding
    )
    shapes: dict[tuple, str] = {}
    padded = (x.shape[0], height + pads[0] + pads[1], width + pads[2] + pads[3], x.shape[3])
    if padded != x.shape:
        windows.name_shape(
            shapes,
            padded,
            _(
                "d_x still has the padding: crop it off, a padded "
                "cell is not an input (d_x has x's shape)"
            ),
        )
    windows.name_shape(
        shapes,
        d_out.shape,
        _(
            "you returned d_out's shape: the gradient is with "
            "respect to x, so it has x's shape (N, H, W, C)"
        ),
    )
    shapes.pop(x.shape, None)
    check_array(
        got,
        ref.max_pool_backward(d_out, x, pool_size, strides, padding),
        call=call,
        floating=True,
        misconceptions=pool_mistakes(d_out, x, pool_size, strides, padding),
        shape_feedback=shapes,
    )
