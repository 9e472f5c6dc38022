"""What common mistakes in ex04's conv2d return, so the feedback can name the one that matches.

Each candidate is the reference computed with one ingredient changed (a flipped kernel, the
bias added per product, the padding of stride 1, the batch summed, ...). A learner's wrong
answer is compared with every candidate; only the sentences of those that match are shown.
Wrong shapes are named the same way, from the sizes each mistake gives.
"""

from __future__ import annotations

import numpy as np

from grader.checks import Misconception, check_array, describe_call
from grader.exercises.ex04.hidden import probes
from grader.exercises.ex04.hidden import reference as ref
from grader.exercises.hidden import windows
from grader.exercises.hidden.told_apart import tell_apart
from grader.failures import LearnerRaised, NamedMistake
from grader.i18n import N_, _

SYMMETRIC_PADDING = N_(
    "you padded (F - 1) // 2 on each side; TensorFlow pads "
    "max((H_out - 1) * S + F - H, 0) in all, the smaller half on the top/left"
)
STRIDE_1_PADDING = N_(
    "the 'same' padding is the one for stride 1 (F - 1 zeros in "
    "all); with stride S TensorFlow pads only "
    "max((H_out - 1) * S + F - H, 0)"
)
# What each slip in the 'same' padding pads for a 2x2 kernel, stride 1 (`probes.stride_1_pads`).
PADDING_SLIPS = {
    (0, 1, 0, 1): STRIDE_1_PADDING,
    (0, 0, 0, 0): SYMMETRIC_PADDING,
    (1, 0, 1, 0): windows.WRONG_SIDE,
}


def conv_mistakes(x, kernel, bias, strides, padding):
    """Wrong answers and wrong shapes that real mistakes produce, each with its sentence."""
    height, width, c_in = x.shape[1:]
    f_h, f_w = kernel.shape[:2]
    padding = padding.lower()
    pads = windows.tf_pads(height, width, (f_h, f_w), strides, padding)
    out_hw = windows.output_hw(height, width, (f_h, f_w), strides, padding)

    def variant(x=x, kernel=kernel, bias=bias, strides=strides, pads=pads):
        """What the layer gives with one of its ingredients changed."""
        return ref.correlate(x, kernel, bias, strides, pads)

    found = [
        Misconception(
            N_(
                "your output matches a flipped kernel (textbook convolution): Keras "
                "does not flip, so lay the kernel on the window as it is"
            ),
            variant(kernel=kernel[::-1, ::-1]),
        )
    ]
    found += _bias_mistakes(variant, bias, f_h * f_w * c_in, c_in)
    if c_in > 1:
        found.append(
            Misconception(
                N_(
                    "only the first input channel is used: each filter sums over "
                    "all C_in channels of the window"
                ),
                variant(x=x[..., :1], kernel=kernel[:, :, :1]),
            )
        )
    unbiased = variant(bias=None)
    found.append(
        Misconception(
            N_(
                "you averaged the products in each window; a filter's response is "
                "their sum (np.sum, not np.mean)"
            ),
            unbiased / (f_h * f_w * c_in) + (0 if bias is None else bias),
        )
    )
    found += windows.batch_mistakes(
        variant(), unbiased.sum(axis=0, keepdims=True) + (0 if bias is None else bias)
    )
    if kernel.shape[3] > 1:
        found.append(
            Misconception(
                N_(
                    "each filter's output adds to the previous filter's: reset the "
                    "sum to 0 for every output channel k"
                ),
                np.cumsum(unbiased, axis=3) + (0 if bias is None else bias),
            )
        )
    if padding == "same":
        found += _same_mistakes(x, kernel, bias, strides, pads, out_hw, variant)
    found += windows.wrong_side(pads, lambda swapped: variant(pads=swapped))
    found += windows.all_after(pads, lambda moved: variant(pads=moved))
    if f_h > 1 and f_w > 1:
        found.append(
            Misconception(
                windows.WINDOW_ONE_SHORT,
                variant(kernel=kernel[:-1, :-1])[:, : out_hw[0], : out_hw[1]],
            )
        )
    wrapped = windows.wrapped_front(x, pads)
    if (
        wrapped is not None
        and min(pads[0], pads[2]) >= 0
        and pads[0] <= height
        and pads[2] <= width
    ):
        found.append(Misconception(windows.WRAPPED, variant(x=wrapped[0], pads=wrapped[1])))
    if c_in == kernel.shape[3] > 1:
        found.append(
            Misconception(
                N_(
                    "the kernel's last two axes are swapped: it is (F_h, F_w, C_in, "
                    "C_out), so kernel[a, b, c, k] weighs input channel c for filter k"
                ),
                variant(kernel=kernel.transpose(0, 1, 3, 2)),
            )
        )
    found += windows.ignored_strides(strides, lambda moves: variant(strides=moves), out_hw)
    if f_h == f_w:
        found.append(
            Misconception(
                N_(
                    "your output matches the transposed kernel: kernel[a, b] goes "
                    "with x[i*S_h + a, j*S_w + b]"
                ),
                variant(kernel=kernel.transpose(1, 0, 2, 3)),
            )
        )
    if x.dtype == np.uint8:
        # Storing a float in a uint8 array truncates it, then wraps it modulo 256.
        found.append(
            Misconception(
                N_(
                    "your values wrapped around modulo 256: the output array has "
                    "the input's dtype uint8; build it as float"
                ),
                np.mod(variant().astype(np.int64), 256),
            )
        )
    return found, wrong_shapes(x.shape, kernel.shape, strides, padding)


def _bias_mistakes(variant, bias, window_cells: int, c_in: int) -> list[Misconception]:
    """The bias ignored, or added once per product or per input channel instead of once."""
    if bias is None or not np.any(bias):
        return []
    found = [
        Misconception(
            N_("the bias is ignored: add bias[k] to every cell of output channel k"),
            variant(bias=None),
        )
    ]
    if window_cells > 1:
        found.append(
            Misconception(
                N_(
                    "the bias is added to every product in the window (F_h * F_w "
                    "* C_in times); add bias[k] once to each output cell, after "
                    "the sum"
                ),
                variant(bias=bias * window_cells),
            )
        )
    if 1 < c_in < window_cells:
        found.append(
            Misconception(
                N_(
                    "the bias is added once per input channel; add bias[k] once "
                    "to each output cell, after summing over all C_in channels"
                ),
                variant(bias=bias * c_in),
            )
        )
    return found


def _same_mistakes(x, kernel, bias, strides, pads, out_hw, variant) -> list[Misconception]:
    """Slips in "same" padding: symmetric, computed for stride 1, or the output padded instead."""
    height, width = x.shape[1:3]
    found = [
        Misconception(SYMMETRIC_PADDING, variant(pads=windows.symmetric_pads(kernel.shape[:2])))
    ]
    stride_1 = windows.tf_pads(height, width, kernel.shape[:2], 1, "same")
    if stride_1 != pads:
        found.append(Misconception(STRIDE_1_PADDING, variant(pads=stride_1)))
    if kernel.shape[0] <= height and kernel.shape[1] <= width:
        valid = ref.correlate(x, kernel, bias, strides)
        missing_h, missing_w = out_hw[0] - valid.shape[1], out_hw[1] - valid.shape[2]
        for top, left in ((missing_h // 2, missing_w // 2), (0, 0)):
            padded = np.pad(
                valid, ((0, 0), (top, missing_h - top), (left, missing_w - left), (0, 0))
            )
            found.append(
                Misconception(
                    N_(
                        "you padded the output instead of the input: 'same' adds "
                        "zeros around x before the windows slide, so the border "
                        "windows see real pixels and zeros"
                    ),
                    padded,
                )
            )
    return found


def wrong_shapes(x_shape, kernel_shape, strides, padding) -> dict[tuple, str]:
    batch, height, width, c_in = x_shape
    f_h, f_w, _c_in, c_out = kernel_shape
    out_hw = windows.output_hw(height, width, (f_h, f_w), strides, padding)
    shapes: dict[tuple, str] = {}
    if padding == "same":
        for hw, sentence in windows.same_shape_mistakes(height, width, (f_h, f_w), strides):
            windows.name_shape(shapes, (batch, *hw, c_out), sentence)
    for hw, sentence in windows.shape_mistakes(height, width, (f_h, f_w), strides, padding):
        windows.name_shape(shapes, (batch, *hw, c_out), sentence)
    windows.name_shape(
        shapes,
        (batch, *out_hw, c_in),
        N_("the output has one channel per filter (C_out), not one per input channel"),
    )
    windows.name_shape(
        shapes, (*out_hw, c_out), N_("the batch axis is missing: (N, H_out, W_out, C_out)")
    )
    windows.name_shape(
        shapes,
        (1, *out_hw, c_out),
        N_(
            "only one image came back: the output keeps "
            "the batch axis, one result per image (N, H_out, W_out, C_out)"
        ),
    )
    windows.name_shape(
        shapes,
        (batch, c_out, *out_hw),
        N_(
            "your output is channels-first (N, C_out, "
            "H, W); Keras is channels-last: (N, H_out, W_out, C_out)"
        ),
    )
    shapes.pop((batch, *out_hw, c_out), None)
    return shapes


def check_conv(learner, x, kernel, bias=None, strides=1, padding="valid") -> None:
    """Grade `learner.conv2d(...)` against the reference, naming a mistake that matches."""
    kwargs = {"bias": bias, "strides": strides, "padding": padding}
    call = describe_call("conv2d", x, kernel, **kwargs)
    try:
        got = learner.conv2d(x, kernel, **kwargs)
    except LearnerRaised as raised:
        height, width = x.shape[1:3]
        hint = windows.hint_for_raised(raised.message, padding)
        if padding.lower() == "same" and windows.negative_same_padding(
            height, width, kernel.shape[:2], strides
        ):
            hint = _(windows.NEGATIVE_PADDING)
        if not hint and height != width and probes.width_from_height(learner):
            hint = _(
                "your W_out equals H_out: the width is computed from H (a 3x5 input gave you "
                "a 3x3 map); a non-square input has its own W, and the window its own F_w"
            )
        if hint:
            raise NamedMistake(f"{raised.feedback}\n{hint}") from None
        raise
    judge_conv(learner, got, call, x, kernel, bias, strides, padding)


def judge_conv(learner, got, call: str, x, kernel, bias, strides, padding) -> None:
    """Judge `got`, what the learner's conv2d returned for this call, naming a mistake that
    matches; where several 'same' slips give `got`, a call or two more tell them apart."""
    misconceptions, shapes = conv_mistakes(x, kernel, bias, strides, padding)
    shape = getattr(got, "shape", None)
    if padding.lower() == "same" and windows.several_mistakes(shapes, shape):
        slip = windows.same_size_slip(lambda h, f, s: probes.same_height(learner, h, f, s))
        shapes[shape] = slip or shapes[shape]
    expected = ref.conv2d(x, kernel, bias, strides, padding)
    if padding.lower() == "same":
        misconceptions = tell_apart(
            misconceptions,
            got,
            expected,
            PADDING_SLIPS.values(),
            lambda: _padding_slip(learner),
        )
    check_array(
        got,
        expected,
        call=call,
        floating=True,
        misconceptions=misconceptions,
        shape_feedback=shapes,
    )


def _padding_slip(learner) -> str | None:
    """The slip in the 'same' padding that a stride-1 call shows (`PADDING_SLIPS`), if any."""
    pads = probes.stride_1_pads(learner, tuple(PADDING_SLIPS))
    return None if pads is None else PADDING_SLIPS[pads]
