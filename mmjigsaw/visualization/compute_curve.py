"""Box AP against compute for detectors evaluated after every fine-tuning epoch, pre-training included."""
from dataclasses import dataclass
from typing import Sequence

from matplotlib.figure import Figure

from mmjigsaw.utils import counted


@dataclass(frozen=True)
class CurveArm:
    """One detector's curve.

    Attributes:
        label: the legend's text.
        colour: a matplotlib colour.
        epochs: the fine-tuning epoch of each point (1, 2, ...).
        compute: the compute spent when each point was evaluated (pre-training included), in the
            figure's unit.
        box_ap: box AP (val, 0-1) after each epoch.
        pretrain: compute spent before the first fine-tuning epoch (pre-training; 0 for none), shown
            as a shaded band from 0.
    """
    label: str
    colour: str
    epochs: Sequence[int]
    compute: Sequence[float]
    box_ap: Sequence[float]
    pretrain: float = 0.0


def plot_compute_curve(arms: Sequence[CurveArm], path: str, title: str, unit: str = 'CPU s',
                       note: str = '') -> None:
    """Write a PNG of box AP against compute, one point per epoch per arm, each arm's last point
    marked with its epochs and a dotted line at its total compute; ``note`` goes under the axes."""
    fig = Figure(figsize=(8, 5))
    ax = fig.subplots()
    for i, arm in enumerate(arms):
        if arm.pretrain:
            ax.axvspan(0, arm.pretrain, color=arm.colour, alpha=0.12, lw=0)
            ax.text(arm.pretrain / 2, 0.02, f'{arm.label.split()[0]} pre-training', ha='center', fontsize=8,
                    transform=ax.get_xaxis_transform(), color=arm.colour)
        ax.plot(arm.compute, arm.box_ap, color=arm.colour, marker='o', ms=4, label=arm.label)
        ax.axvline(arm.compute[-1], color=arm.colour, ls=':', lw=1)
        ax.annotate(counted(arm.epochs[-1], 'epoch'), (arm.compute[-1], arm.box_ap[-1]),
                    textcoords='offset points', xytext=(-4, 6 + 12 * i), ha='right', fontsize=8, color=arm.colour)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f'compute ({unit}): pre-training + fine-tuning epochs')
    ax.set_ylabel('box AP (val), after each epoch')
    ax.grid(alpha=0.3)
    ax.legend(loc='upper left', fontsize=8)
    ax.set_title(title, fontsize=10)
    if note:
        fig.text(0.01, 0.01, note, fontsize=8, va='bottom')
    fig.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    fig.savefig(path, dpi=110)
