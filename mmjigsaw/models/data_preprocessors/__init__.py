from .jigsaw_data_preprocessor import IMAGENET_MEAN_RGB, IMAGENET_STD_RGB, JigsawDataPreprocessor

__all__ = ['IMAGENET_MEAN_RGB', 'IMAGENET_STD_RGB', 'JigsawDataPreprocessor']
