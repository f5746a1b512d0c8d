from .formatting import PackJigsawInputs
from .jigsaw_assemble import JigsawAssemble, place_sample
from .pos_neg_extract import PosNegExtract

__all__ = ['PackJigsawInputs', 'JigsawAssemble', 'place_sample', 'PosNegExtract']
