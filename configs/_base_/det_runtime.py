# Runtime shared by every detector config of mmjigsaw: mmdet's own default runtime.
_base_ = 'mmdet::_base_/default_runtime.py'
