"""The agreement chart (``grader calibrate --chart``): a scatter of grader vs human normalised scores
with the y = x line, as SVG written here without a dependency, or PNG through matplotlib when installed."""

from __future__ import annotations

from pathlib import Path

from grader.agreement import metrics as M
from grader.errors import InputError

__all__ = ["write_chart"]


def write_chart(path: str | Path, human: M.Numbers, grader: M.Numbers, title: str) -> Path:
    """Scatter of grader vs human normalised scores with the y = x line: ``.svg`` (no dependency) or
    ``.png`` (needs matplotlib)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".png":
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise InputError(
                "a PNG chart needs matplotlib", source=str(p), hint="pip install matplotlib, or write an .svg chart"
            ) from None
        fig, ax = plt.subplots(figsize=(6, 6), dpi=100)
        ax.plot([0, 1], [0, 1], "--", color="#888")
        ax.scatter(human, grader, s=14, alpha=0.35, color="#1f6feb")
        ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), xlabel="human (normalised)", ylabel="grader (normalised)")
        ax.set_title(title)
        fig.tight_layout()
        try:
            fig.savefig(p)
        except OSError as e:
            raise InputError(f"cannot write the chart: {e.strerror}", source=str(p)) from None
        finally:
            plt.close(fig)
        return p
    if suffix != ".svg":
        raise InputError("the chart must be an .svg or .png file", source=str(p))
    size, pad = 480, 56
    span = size - 2 * pad

    def X(v: float) -> float:
        return pad + v * span

    def Y(v: float) -> float:
        return size - pad - v * span

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{size}" height="{size}" fill="white"/>',
        f'<text x="{size / 2}" y="28" text-anchor="middle" font-size="14">{esc(title)}</text>',
    ]
    for k in range(6):
        v = k / 5
        parts += [
            f'<line x1="{X(v):.1f}" y1="{Y(0):.1f}" x2="{X(v):.1f}" y2="{Y(1):.1f}" stroke="#eee"/>',
            f'<line x1="{X(0):.1f}" y1="{Y(v):.1f}" x2="{X(1):.1f}" y2="{Y(v):.1f}" stroke="#eee"/>',
            f'<text x="{X(v):.1f}" y="{Y(0) + 16:.1f}" text-anchor="middle">{v:.1f}</text>',
            f'<text x="{X(0) - 8:.1f}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>',
        ]
    parts += [
        f'<rect x="{pad}" y="{pad}" width="{span}" height="{span}" fill="none" stroke="#444"/>',
        f'<line x1="{X(0)}" y1="{Y(0)}" x2="{X(1)}" y2="{Y(1)}" stroke="#888" stroke-dasharray="5,4"/>',
        f'<text x="{size / 2}" y="{size - 14}" text-anchor="middle">human score (normalised)</text>',
        f'<text x="16" y="{size / 2}" text-anchor="middle" transform="rotate(-90 16 {size / 2})">'
        "grader score (normalised)</text>",
    ]
    parts += [
        f'<circle cx="{X(h):.1f}" cy="{Y(g):.1f}" r="3" fill="#1f6feb" fill-opacity="0.35"/>'
        for h, g in zip(human, grader)
    ]
    parts.append("</svg>")
    try:
        p.write_text("\n".join(parts) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the chart: {e.strerror}", source=str(p)) from None
    return p
