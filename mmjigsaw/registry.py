"""mmjigsaw's registries: children of mmengine's roots, so that configs with
``default_scope = 'mmjigsaw'`` build mmjigsaw modules by plain name and other
OpenMMLab libraries' modules with their prefix (``type='mmdet.ResNet'``)."""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

# Runners and training loops.
RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=['mmjigsaw.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['mmjigsaw.engine'])
# Hooks such as ERFUpdateHook.
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['mmjigsaw.engine'])

# Datasets (sample stores, montage datasets) and their samplers.
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=['mmjigsaw.datasets'])
DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['mmjigsaw.datasets'])
# Functions such as the montage collate function (``collate_fn=dict(type='mmjigsaw.montage_collate')``).
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, locations=['mmjigsaw.datasets'])
# Data transforms such as PosNegExtract and JigsawAssemble.
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, locations=['mmjigsaw.datasets.transforms'])

# Models, heads, data preprocessors; backbones come from mmdet (``mmdet.ResNet``).
MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['mmjigsaw.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, locations=['mmjigsaw.models'])
WEIGHT_INITIALIZERS = Registry('weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS,
                               locations=['mmjigsaw.models'])

# Optimisation.
OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS, locations=['mmjigsaw.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry('optimizer wrapper constructor', parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
                                      locations=['mmjigsaw.engine'])
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, locations=['mmjigsaw.engine'])
PARAM_SCHEDULERS = Registry('parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS,
                            locations=['mmjigsaw.engine'])

# Visualisation of montages and ERF maps.
VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS, locations=['mmjigsaw.visualization'])
# Where the visualizer sends scalars and images (mmjigsaw's LocalVisBackend; mmengine's TensorBoard, W&B, ...).
VISBACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS, locations=['mmjigsaw.visualization'])
