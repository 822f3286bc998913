"""The explanation waterfall's axis reads as the numbers it shows: plain for probabilities and log-odds
(never "200m" for 0.2), SI prefixes only for large outputs such as prices."""

from dashboard.figures.predict import waterfall_figure


def explanation(base: float, output: float) -> dict:
    return {
        "contributions": {"Sex": output - base},
        "output_kind": "probability",
        "class": 1,
        "explainer": "tree",
        "base": base,
        "output": output,
    }


def test_a_probability_axis_is_plain_and_a_price_axis_uses_prefixes():
    assert waterfall_figure(explanation(0.38, 0.96)).layout.xaxis.tickformat == "~g"
    assert waterfall_figure(explanation(180_000, 294_100)).layout.xaxis.tickformat == "~s"
