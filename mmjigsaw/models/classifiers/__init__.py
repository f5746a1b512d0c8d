from .jigsaw_classifier import JigsawClassifier

__all__ = ['JigsawClassifier']
