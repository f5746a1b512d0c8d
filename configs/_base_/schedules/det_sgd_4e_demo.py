# The paper's fine-tuning schedule shape (docs/method.md §6: lr x0.1 after 9 of 13 epochs and again
# after 12) shortened for 2 CPU cores to 4 epochs with one step after 3; lr 0.02 at batch 16 scaled
# to batch 8. The reproduction study varies max_epochs and moves the step to the last quarter.
max_epochs = 4

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[3], gamma=0.1),
]
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
