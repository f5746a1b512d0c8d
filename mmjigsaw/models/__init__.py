from .backbones import *  # noqa: F401,F403
from .classifiers import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .erf import blockwise_weight_table, compute_erf, erf_weight_table, own_region_share, region_mass
from .heads import *  # noqa: F401,F403

__all__ = ['blockwise_weight_table', 'compute_erf', 'erf_weight_table', 'own_region_share',
           'region_mass']
