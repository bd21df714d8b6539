/// NNKit: one import for the whole framework — tensors and kernels, layers and the registry,
/// data sets, model files and training, and checkpoints.
@_exported import NNAutograd
@_exported import NNCheckpoint
@_exported import NNCore
@_exported import NNData
@_exported import NNLayers
@_exported import NNModel
@_exported import NNONNX
@_exported import NNPlugins
