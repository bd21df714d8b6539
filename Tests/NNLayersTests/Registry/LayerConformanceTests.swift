import NNLayers
import NNTestSupport
import Testing

/// The conformance suite: every built-in layer type of the registry, made as a model file would make it, must
/// report the output shape it produces, pass a central-difference gradient check (inputs and parameters), keep the
/// results a caller holds when it runs again, and give the literal output listed here where one is. A built-in
/// type without an entry in `samples` fails the suite, so a new layer cannot skip it.
@Suite struct LayerConformanceTests {
    /// How to make and check one layer type.
    struct Sample: Sendable {
        var options: [String: ConfigValue] = [:]
        /// Per-sample input shapes (one per input of a merge layer).
        var inputs: [[Int]]
        /// Checked in inference mode (layers whose training pass is random).
        var inferenceOnly = false
        /// Inputs whose values lie at least 0.05 apart (a max must not change under the check's small steps).
        var distinctInputs = false
        /// A literal forward: input values (one list per input, batch 1) and the output they must give.
        var literal: (inputs: [[Float]], output: [Float])?
    }

    static let samples: [String: Sample] = [
        "Add": Sample(inputs: [[2, 3], [2, 3]], literal: ([[1, 2, 3, 4, 5, 6], [1, 1, 1, -1, -1, -1]], [2, 3, 4, 3, 4, 5])),
        "AvgPool2D": Sample(options: ["kernel": .int(2)], inputs: [[2, 4, 4]]),
        "BatchNorm": Sample(inputs: [[3, 2, 2]]),
        "Concatenate": Sample(inputs: [[2, 3], [1, 3]], literal: ([[1, 2, 3, 4, 5, 6], [7, 8, 9]], [1, 2, 3, 4, 5, 6, 7, 8, 9])),
        "Conv2D": Sample(options: ["filters": .int(3), "kernel": .int(3), "padding": .string("same")], inputs: [[2, 5, 5]]),
        "Dropout": Sample(options: ["rate": .double(0.5)], inputs: [[6]], inferenceOnly: true, literal: ([[1, -2, 3, 0, 5, -6]], [1, -2, 3, 0, 5, -6])),
        "ELU": Sample(inputs: [[5]]),
        "Flatten": Sample(inputs: [[2, 3]], literal: ([[1, 2, 3, 4, 5, 6]], [1, 2, 3, 4, 5, 6])),
        "GELU": Sample(inputs: [[5]]),
        "GlobalAvgPool2D": Sample(inputs: [[3, 2, 2]], literal: ([[1, 2, 3, 4, 0, 0, 0, 4, -1, -1, -1, -1]], [2.5, 1, -1])),
        "Identity": Sample(inputs: [[4]], literal: ([[1, -2, 3, -4]], [1, -2, 3, -4])),
        "LayerNorm": Sample(inputs: [[6]]),
        "LeakyReLU": Sample(options: ["alpha": .double(0.1)], inputs: [[4]], literal: ([[1, -2, 3, -4]], [1, -0.2, 3, -0.4])),
        "Linear": Sample(options: ["units": .int(4)], inputs: [[5]]),
        "MatMul": Sample(options: ["units": .int(4)], inputs: [[5]]),
        "MaxPool2D": Sample(options: ["kernel": .int(2)], inputs: [[2, 4, 4]], distinctInputs: true),
        "Multiply": Sample(inputs: [[3], [3]], literal: ([[1, 2, 3], [2, -1, 0.5]], [2, -2, 1.5])),
        "ReLU": Sample(inputs: [[4]], literal: ([[1, -2, 3, -4]], [1, 0, 3, 0])),
        "Sigmoid": Sample(inputs: [[3]], literal: ([[0, 0, 0]], [0.5, 0.5, 0.5])),
        "Softmax": Sample(inputs: [[4]], literal: ([[1, 1, 1, 1]], [0.25, 0.25, 0.25, 0.25])),
        "Tanh": Sample(inputs: [[3]], literal: ([[0, 0, 0]], [0, 0, 0])),
    ]

    /// Values `0.05 · k − 1` for `k` in a seeded shuffle of `0 ..< count`.
    static func distinct(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<shape.reduce(1, *))
        generator.shuffle(&order)
        return try Tensor(shape: shape, scalars: order.map { Float($0) * 0.05 - 1 })
    }

    static var builtInNames: [String] { LayerRegistry.shared.types.filter { $0.origin == "built-in" }.map(\.name) }

    @Test func everyBuiltInTypeHasASample() {
        let missing = Self.builtInNames.filter { Self.samples[$0] == nil }
        #expect(missing.isEmpty, "add conformance samples for \(missing)")
    }

    @Test(arguments: LayerConformanceTests.builtInNames)
    func conforms(_ name: String) throws {
        let sample = try #require(Self.samples[name])
        let configuration = LayerConfiguration(options: sample.options, inputShapes: sample.inputs, seed: 17)
        let layer = try LayerRegistry.shared.makeLayer(name, configuration: configuration)
        let batch = 3
        let inputs = try sample.inputs.enumerated().map { index, shape in
            try sample.distinctInputs ? Self.distinct([batch] + shape, seed: 30 + UInt64(index)) : GradientCheck.sample([batch] + shape, seed: 30 + UInt64(index))
        }
        let training = !sample.inferenceOnly

        // The shape the layer reports is the shape it produces.
        let expected: [Int]
        let output: Tensor
        if let merge = layer as? any MergeLayer {
            expected = try merge.outputShape(forInputs: sample.inputs)
            output = try merge.forward(inputs, training: training)
        } else {
            expected = try layer.outputShape(forInput: sample.inputs[0])
            output = try layer.forward(inputs[0], training: training)
        }
        #expect(output.shape == [batch] + expected, "\(name): outputShape says \(expected), forward gave \(output.shape)")

        // A result the caller holds does not change when the layer runs again on other data.
        let kept = output.scalars
        let others = sample.inputs.enumerated().map { GradientCheck.sample([batch] + $0.element, seed: 50 + UInt64($0.offset)) }
        let second = try (layer as? any MergeLayer).map { try $0.forward(others, training: training) } ?? layer.forward(others[0], training: training)
        #expect(output.scalars == kept, "\(name): a second forward changed the first result")
        #expect(second.shape == output.shape)

        // Gradients against central differences.
        let report: GradientCheck.Report
        if let merge = layer as? any MergeLayer {
            report = try GradientCheck.check(merge, inputs: inputs)
        } else {
            report = try GradientCheck.check(layer, input: inputs[0], training: training)
        }
        #expect(report.worstError < 3e-3, "\(name): \(report)")

        if let literal = sample.literal {
            let tensors = try zip(literal.inputs, sample.inputs).map { try Tensor(shape: [1] + $1, scalars: $0) }
            let fresh = try LayerRegistry.shared.makeLayer(name, configuration: configuration)
            let value = try (fresh as? any MergeLayer).map { try $0.forward(tensors, training: training) } ?? fresh.forward(tensors[0], training: training)
            for (got, want) in zip(value.scalars, literal.output) {
                #expect(abs(got - want) <= 1e-6 * max(1, abs(want)), "\(name): literal forward gave \(value.scalars), expected \(literal.output)")
            }
        }
    }
}
