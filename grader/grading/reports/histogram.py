"""The class's score distribution as an inline SVG: ten bars of ten points each.

Drawn as SVG text rather than with matplotlib: it is a handful of rectangles, it stays sharp
at any zoom, and importing matplotlib for it cost every grading run about 0.7 s.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 16, 44     # margins around the bars, in pixels
BINS = 10


def bin_counts(percents: list[float]) -> list[int]:
    """How many scores fall in each ten-point bin; 100% belongs to the last one."""
    counts = [0] * BINS
    for value in percents:
        clipped = min(max(float(value), 0.0), 100.0)
        counts[min(int(clipped // (100 / BINS)), BINS - 1)] += 1
    return counts


def histogram_svg(percents: list[float]) -> str:
    counts = bin_counts(percents)
    top = max(1, max(counts))
    step = max(1, -(-top // 5))                 # at most about five gridlines, whole students
    ceiling = step * -(-top // step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / BINS

    def y(count: float) -> float:
        return TOP + plot_h * (1 - count / ceiling)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-label="histogram of the class\'s scores in percent" '
             'font-family="system-ui, sans-serif" font-size="11">']
    for tick in range(0, ceiling + 1, step):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     'stroke="#e3e6ea"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#555">{tick}</text>')
    for index, count in enumerate(counts):
        x = LEFT + index * bar_w
        low, high = index * 100 // BINS, (index + 1) * 100 // BINS
        label = escape(f"{count} student{'s' if count != 1 else ''} scored {low}–{high}%")
        if count:
            parts.append(f'<rect x="{x + 3:.1f}" y="{y(count):.1f}" width="{bar_w - 6:.1f}" '
                         f'height="{y(0) - y(count):.1f}" fill="#3b6fb6" stroke="#27508a"><title>{label}</title></rect>')
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y(count) - 4:.1f}" text-anchor="middle" '
                         f'fill="#222">{count}</text>')
    for index in range(BINS + 1):
        x = LEFT + index * bar_w
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(0):.1f}" y2="{y(0) + 4:.1f}" stroke="#555"/>')
        parts.append(f'<text x="{x:.1f}" y="{y(0) + 17:.1f}" text-anchor="middle" fill="#555">'
                     f'{index * 100 // BINS}%</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#555"/>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" fill="#333">score</text>')
    parts.append(f'<text transform="translate(13 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
                 'fill="#333">students</text>')
    parts.append("</svg>")
    return "".join(parts)
