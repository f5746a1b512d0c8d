"""Analyses of a detector config against a dataset."""
from .anchor_coverage import AnchorCoverage, box_anchor_coverage, config_anchor_coverage

__all__ = ['AnchorCoverage', 'box_anchor_coverage', 'config_anchor_coverage']
