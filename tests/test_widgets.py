"""The interactive-figure pattern: live widget, static scrubber, readable errors."""

from __future__ import annotations

import re

import pytest

from bpcore import linear, widgets
from bpcore.widgets import Control, Explorer, Scrubber


def _draw_line(fig, slope: float, label: str = "line") -> str:
    if slope > 100:
        raise ValueError(f"slope {slope} is too steep to draw")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, slope])
    return f"A {label} with slope {slope}."


@pytest.fixture
def explorer() -> Explorer:
    return Explorer(
        "test-line",
        _draw_line,
        [Control("slope", "slope", (0.5, 1.0, 2.0, 1000.0), default=1.0)],
        caption="A line.",
    )


def test_static_has_one_distinct_frame_per_value_and_loads_nothing(explorer: Explorer) -> None:
    scrubber = explorer.static("slope")
    assert len(scrubber.frames) == 4
    assert len(set(scrubber.frames)) == 4
    page = scrubber._repr_html_()
    assert not re.search(r"(src|href)=\"https?://", page)
    assert "http" not in page.replace("data:image/png;base64,", "")
    assert page.count("<img ") == 1
    assert 'alt="A line with slope 1.0."' in page
    assert 'type="range"' in page
    assert 'max="3"' in page
    assert 'value="1"' in page


def test_static_frames_are_2x_with_their_display_size(explorer: Explorer) -> None:
    import io

    from PIL import Image

    scrubber = explorer.static("slope")
    assert scrubber.size == (461, 326)  # 4.8 × 3.4 inches at 96 CSS px per inch
    assert Image.open(io.BytesIO(scrubber.frames[0])).size == (921, 652)  # 4.8 × 192, 3.4 × 192
    assert 'width="461" height="326"' in scrubber._repr_html_()


def test_static_markup_is_valid_and_styled_by_the_site(explorer: Explorer) -> None:
    page = explorer.static("slope")._repr_html_()
    assert "style=" not in page  # the site's stylesheet styles it
    figure = page[: page.index("</figure>")]
    assert "<script" not in figure  # the script follows the figure; figcaption is last inside
    assert figure.rstrip().endswith("</figcaption>")
    # without JavaScript the slider (which could not change the frame) stays hidden
    assert '<div class="bp-scrubber-controls" hidden>' in page
    assert page.count("<script>") == 1


def test_math_in_labels_and_captions_is_marked_for_the_build() -> None:
    assert widgets.math_html(r"weight scale $\sigma_w$ & <b>") == (
        'weight scale <span class="bp-math">\\sigma_w</span> &amp; &lt;b&gt;'
    )
    assert widgets.plain_text(r"scale $\sigma_w$, $\|\delta^{(l)}\|$") == "scale σ_w, ‖δ^(l)‖"
    with pytest.raises(ValueError, match="unbalanced"):
        widgets.math_html("a $b")
    with pytest.raises(TypeError, match="text must be a str"):
        widgets.math_html(3)


def test_static_is_deterministic(explorer: Explorer) -> None:
    assert explorer.static("slope")._repr_html_() == explorer.static("slope")._repr_html_()


def test_an_extreme_setting_draws_a_readable_message(explorer: Explorer) -> None:
    png, description = explorer.render(slope=1000.0)
    assert png.startswith(b"\x89PNG")
    assert description == "This setting cannot be drawn: slope 1000.0 is too steep to draw"


def test_live_widget_redraws_on_change(explorer: Explorer) -> None:
    box = explorer.live()
    slider, image, text = box.children
    before = image.value
    slider.value = 2.0
    assert image.value != before
    assert "slope 2.0" in text.value
    slider.value = 1000.0
    assert "cannot be drawn" in text.value


def test_live_widget_redraws_a_seen_setting_from_its_cache() -> None:
    calls: list[float] = []

    def draw(fig, slope: float) -> str:
        calls.append(slope)
        return _draw_line(fig, slope)

    counting = Explorer("test-count", draw, [Control("slope", "slope", (0.5, 1.0, 2.0))], "c")
    slider, image, _ = counting.live().children
    first = image.value
    slider.value = 2.0
    slider.value = 1.0  # seen before: no new draw
    assert calls == [1.0, 2.0]
    assert image.value == first


def test_fast_render_is_a_valid_png_of_the_same_size(explorer: Explorer) -> None:
    """The live setting (unhinted text, light compression) changes pixels, not the picture."""
    import io

    from PIL import Image

    fast, slow = explorer.render(fast=True), explorer.render(fast=False)
    assert fast[1] == slow[1]
    sizes = [Image.open(io.BytesIO(png)).size for png in (fast[0], slow[0])]
    assert sizes[0] == sizes[1] == (384, 272)  # 4.8 × 3.4 inches at 80 dpi


def test_redraw_times_are_medians_of_the_samples(explorer: Explorer) -> None:
    samples = explorer.redraw_samples(repeats=3)
    assert list(samples) == ["slope=0.5", "slope=1000"]
    assert all(len(v) == 3 and all(0 < t < 5 for t in v) for v in samples.values())
    times = explorer.redraw_times(repeats=1)
    assert set(times) == set(samples)
    with pytest.raises(ValueError, match="repeats must"):
        explorer.redraw_samples(repeats=0)


def test_show_bundles_live_view_and_static_html(explorer: Explorer) -> None:
    bundle = explorer.show(vary="slope")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<figure class="bp-scrubber"')


def test_reprs_are_readable(explorer: Explorer) -> None:
    assert repr(explorer) == "Explorer('test-line', controls: slope)"
    assert repr(explorer.controls[0]) == "Control(slope: slope ∈ [0.5, 1, 2, 1000], default 1)"
    assert re.fullmatch(
        r"Scrubber\('test-line': 4 frames over slope, \d+ KiB of PNG\)",
        repr(explorer.static("slope")),
    )


def test_bad_input_names_the_parameter(explorer: Explorer) -> None:
    with pytest.raises(ValueError, match="vary must be one of"):
        explorer.static("angle")
    with pytest.raises(ValueError, match="unknown control"):
        explorer.render(angle=1)
    with pytest.raises(ValueError, match="default of control 'a' must be one of"):
        Control("a", "a", (1, 2), default=3)
    with pytest.raises(ValueError, match="values of control 'a' must not be empty"):
        Control("a", "a", ())
    with pytest.raises(ValueError, match="name must be lower-case"):
        Scrubber("Bad Name", "x", ["1"], [b""], ["d"], "c")
    with pytest.raises(TypeError, match="draw must be a callable"):
        Explorer("x", None, [Control("a", "a", (1,))], "c")


def test_linear_delta_norms_is_the_core_function() -> None:
    """The chapter 0 explorer draws bpcore.linear's numbers (tested in tests/test_linear.py)."""
    assert widgets.linear_delta_norms is linear.linear_delta_norms


def test_depth_explorer_renders_every_extreme() -> None:
    explorer = widgets.depth_explorer()
    for control in explorer.controls:
        for value in (control.values[0], control.values[-1]):
            png, description = explorer.render(**{control.name: value})
            assert png.startswith(b"\x89PNG")
            assert "cannot be drawn" not in description
