// A custom layer written with autograd, registered by name, used from a YAML model — and the cost of the
// autograd path against the fused layers for the same network.
//
//   swift run -c release autograd-example
import Foundation
import NNKit

/// Swish `x · sigmoid(βx)` with a learnable β; its backward comes from the recorded graph.
final class Swish: AutogradLayer, RegistrableLayer {
    static let typeName = "Swish"
    static let summary = "x · sigmoid(βx) with a learnable β"
    static let options = [LayerOption("beta", .double, default: "1", "initial β")]
    let beta: Parameter

    init(configuration: LayerConfiguration) throws {
        beta = Parameter(Tensor([Float(try configuration.double("beta", default: 1))]))
        super.init()
    }
    override var parameters: [NamedParameter] { [NamedParameter("beta", beta)] }
    override func forward(_ x: Variable) throws -> Variable { try x * sigmoid(x * variable(for: beta)) }
}

try LayerRegistry.shared.register(Swish.self)
let model = try Model(yaml: """
    name: spiral-swish
    input: [2]
    data: spiral
    layers:
      - {type: Linear, name: hidden, units: 30, init: xavier}
      - {type: Swish, name: act}
      - {type: Linear, name: out, units: 3, init: xavier}
    optimizer: {type: Adam, lr: 0.02}
    train: {epochs: 150, batch_size: 30, seed: 1}
    """)
let reports = try Trainer(model: model, data: Spiral.split()).run()
let beta = model.parameters.first { $0.name == "act.beta" }!.parameter.value.scalars[0]
print("Swish model on the spiral: test accuracy \(String(format: "%.3f", reports.last!.testAccuracy ?? .nan)), learned β = \(beta)")

// The same 784-256-128-10 MLP step, once through fused layers and once through autograd variables.
let batch = 128
var generator = SeededGenerator(seed: 7)
let x = try Tensor.randomUniform([batch, 784], generator: &generator)
let labels = (0..<batch).map { _ in generator.nextInt(below: 10) }
let sizes = [784, 256, 128, 10]
let weights = try (0..<3).map { try Tensor.randomNormal([sizes[$0], sizes[$0 + 1]], standardDeviation: 0.05, generator: &generator) }
let biases = try (0..<3).map { try Tensor.zeros([sizes[$0 + 1]]) }

func seconds(_ steps: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps { try body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps)
}

let layers = Sequential([try Linear(weight: weights[0], bias: biases[0]), ReLU(), try Linear(weight: weights[1], bias: biases[1]), ReLU(),
                         try Linear(weight: weights[2], bias: biases[2])])
let loss = SoftmaxWithLoss()
let sgd = SGD(learningRate: 0.01)
let fused = try seconds(50) {
    _ = try loss.forward(try layers.forward(x, training: true), targets: .classIndices(labels))
    try layers.backward(try loss.backward(), needsInputGradient: false)
    sgd.update(layers.parameters)
}

let ws = weights.map { Variable($0) }, bs = biases.map { Variable($0) }
let input = Variable(x)
let autograd = try seconds(50) {
    for v in ws + bs { v.clearGradient() }
    var h = input
    for i in 0..<3 {
        h = try matmul(h, ws[i]) + bs[i]
        if i < 2 { h = try relu(h) }
    }
    try softmaxCrossEntropy(h, labels: labels).backward()
    for v in ws + bs { v.data = try v.data - v.grad!.data * 0.01 }
}
print(String(format: "MLP 784-256-128-10 training step, batch %d, %d thread(s): fused layers %.2f ms (%.0f samples/s), autograd %.2f ms (%.0f samples/s), autograd costs %.2f×",
             batch, ComputeContext.current.threads, fused * 1e3, Double(batch) / fused, autograd * 1e3, Double(batch) / autograd, autograd / fused))
