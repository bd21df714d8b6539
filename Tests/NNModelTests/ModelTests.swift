import Foundation
import NNKit
import NNTestSupport
import Testing

@Suite struct ModelTests {
    static let modelsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models").path

    @Test func loadsShortAndLongFormsWithShapeInference() throws {
        let model = try Model(yaml: """
            name: forms
            input: [1, 4, 4]
            layers:
              - Flatten
              - Dense: {units: 5, name: hidden}
              - type: ReLU
              - type: Affine
                units: 3
            """)
        #expect(model.layerShapes == [[16], [5], [5], [3]])
        #expect(model.parameters.map(\.name) == ["hidden.weight", "hidden.bias", "layers.3.weight", "layers.3.bias"])
        #expect(model.parameterCount == 16 * 5 + 5 + 5 * 3 + 3)
        #expect(model.summary.contains("hidden (Dense)"))
        #expect(try model.predict(try Tensor.zeros([2, 1, 4, 4])).shape == [2, 3])
        #expect(throws: LayerError.self) { try model.predict(try Tensor.zeros([2, 16])) }
    }

    /// A long plain scalar with ` ? ` inside it reads back: `yamlText` does not fold lines (a fold there started
    /// a line with `? `, an explicit key; found by the model-file fuzzer).
    @Test func longScalarsAreNotFoldedIntoExplicitKeys() throws {
        let text = "input: [2]\ndata: fashion-mnis Trouser, Pullovetag:yaml.org,2002:mapl, Shirt, Sneaker, Bag, Ankle ? ot]\nlayers: [{type: Linear, units: 3}]\n"
        let spec = try ModelSpec(yaml: text)
        #expect(try ModelSpec(yaml: spec.yamlText) == spec, "\(spec.yamlText)")
        #expect(!spec.yamlText.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("? ") })
    }

    /// A name with line breaks reads back: `yamlText` writes it double-quoted with escapes (single-quoted over
    /// several lines, its breaks folded when read; found by the model-file fuzzer).
    @Test func namesWithLineBreaksSurviveYAMLText() throws {
        let text = "input: [2]\nlayers:\n  - {type: Linear, name: \"a\\n\\n\\nb\", units: 3}\n  - {type: ReLU, inputs: [\"a\\n\\n\\nb\"]}\n"
        let spec = try ModelSpec(yaml: text)
        #expect(spec.layers[0].name == "a\n\n\nb")
        #expect(try ModelSpec(yaml: spec.yamlText) == spec, "\(spec.yamlText)")
    }

    /// A layer written as `{KEY}` or `{KEY: {…}}` keeps the rule of `type:`: an empty key (here an anchored one)
    /// is an empty type, refused at its position, as `type: ''` is (found by the model-file fuzzer).
    @Test func anEmptyShorthandTypeIsRefusedLikeAnEmptyType() throws {
        let text = "input: [3]\nlayers:\n  - {&aavier}\n  - {type: Linear, units: 2}\n"
        #expect(throws: ModelSpecError.self) { try ModelSpec(yaml: text) }
        #expect(throws: ModelSpecError.self) { try ModelSpec(yaml: "input: [3]\nlayers:\n  - {type: ''}\n") }
    }

    @Test func specRoundTripsThroughYAML() throws {
        let spec = ModelSpec(
            name: "round trip: \"quoted\"", input: [1, 28, 28], data: "csv:my data.csv",
            layers: [LayerSpec("Flatten"), LayerSpec("Linear", name: "hidden", options: ["units": .int(8), "init": .string("xavier"), "bias": .bool(false)]),
                     LayerSpec("ReLU"), LayerSpec("Linear", options: ["units": .int(10)])],
            loss: "SoftmaxWithLoss", optimizer: OptimizerSpec(type: "Adam", options: ["lr": .double(0.001), "beta1": .double(0.85)]),
            train: TrainingSpec(epochs: 3, batchSize: 17, seed: 12345678901234, shuffle: false))
        let text = spec.yamlText
        #expect(try ModelSpec(yaml: text) == spec, "\(text)")
        let model = try Model(spec: spec)
        #expect(model.outputShape == [10])
    }

    @Test func sameSeedSameWeights() throws {
        let a = try Model(yamlFile: Self.modelsDirectory + "/spiral-mlp.yaml")
        let b = try Model(yamlFile: Self.modelsDirectory + "/spiral-mlp.yaml")
        let c = try Model(yamlFile: Self.modelsDirectory + "/spiral-mlp.yaml") { $0.train.seed = 1 }
        #expect(a.parameters.map(\.parameter.value) == b.parameters.map(\.parameter.value))
        #expect(a.parameters[0].parameter.value != c.parameters[0].parameter.value)
        #expect(a.parameters[0].parameter.value != a.parameters[2].parameter.value.reshapedForComparison(a.parameters[0].parameter.value))
    }

    @Test func everyModelInTheRepositoryIsValid() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.modelsDirectory).filter { $0.hasSuffix(".yaml") && !$0.contains("plugin") }  // plugin models are tested with their plugin
        #expect(!files.isEmpty)
        for file in files {
            do {
                _ = try Model(yamlFile: Self.modelsDirectory + "/" + file)
            } catch {
                Issue.record("\(file): \(error)")
            }
        }
    }

    @Test func spiralQuickStartTrainsAboveNinetyPercent() throws {
        let model = try Model(yamlFile: Self.modelsDirectory + "/spiral-mlp.yaml")
        let trainer = try Trainer(model: model, data: Spiral.split())
        let reports = try trainer.run()
        #expect(reports.count == 300)
        #expect((reports.last?.testAccuracy ?? 0) > 0.9)
        #expect(reports.last!.trainLoss < reports.first!.trainLoss / 5)
    }

    /// MeanSquaredError on a CSV of regression targets learns y = (2a − b + 0.5, a + b) and reports no accuracy.
    @Test func meanSquaredErrorLearnsCSVRegressionTargets() throws {
        var generator = SeededGenerator(seed: 7)
        var rows: [String] = ["y1,y2,a,b"]
        for _ in 0..<200 {
            let (a, b) = (Float.random(in: -1...1, using: &generator), Float.random(in: -1...1, using: &generator))
            rows.append("\(2 * a - b + 0.5),\(a + b),\(a),\(b)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("regression-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try rows.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let data = try DatasetCatalog.csv(path, targetColumns: 2)
        let model = try Model(yaml: """
            input: [2]
            layers: [{type: Linear, units: 2}]
            loss: MeanSquaredError
            optimizer: {type: SGD, lr: 0.1}
            train: {epochs: 60, batch_size: 16}
            """)
        #expect(model.csvTargetColumns == 2)
        let reports = try Trainer(model: model, data: data).run()
        #expect(reports.last!.testLoss < 1e-4, "\(reports.last!)")
        #expect(reports.last!.testAccuracy == nil && reports.last!.trainAccuracy == nil)
        let evaluation = try Trainer.evaluate(model, on: data.test)
        #expect(evaluation.accuracy == nil && evaluation.confusion.isEmpty && evaluation.count == 40)
        let weight = model.parameters.first { $0.name.hasSuffix("weight") }!.parameter.value.scalars
        for (found, expected) in zip(weight, [Float(2), 1, -1, 1]) { #expect(abs(found - expected) < 0.02, "\(weight)") }
        // Targets of another width than the outputs are named, as is an accuracy to monitor.
        let narrow = try Model(yaml: "input: [2]\nlayers: [{type: Linear, units: 1}]\nloss: MeanSquaredError\n")
        #expect { try Trainer(model: narrow, data: data) } throws: { "\($0)".contains("2 regression targets per sample, but the model outputs 1") }
        let watching = try Model(yaml: "input: [2]\nlayers: [{type: Linear, units: 2}]\nloss: MSE\ntrain: {early_stopping: {monitor: test_accuracy}}\n")
        #expect { try Trainer(model: watching, data: data) } throws: { "\($0)".contains("no accuracy") }
    }

    @Test func nonFiniteLossStopsTraining() throws {
        let model = try Model(yaml: """
            input: [2]
            layers: [{Linear: {units: 30}}, ReLU, {Linear: {units: 3}}]
            optimizer: {type: SGD, lr: 1e30}
            """)
        let trainer = try Trainer(model: model, data: Spiral.split())
        #expect(throws: TrainingError.self) { try trainer.run() }
    }

    @Test func dataThatDoesNotFitIsRejected() throws {
        let model = try Model(yaml: "input: [3]\nlayers: [{Linear: {units: 3}}]")
        #expect(throws: TrainingError.self) { try Trainer(model: model, data: Spiral.split()) }
        let small = try Model(yaml: "input: [2]\nlayers: [{Linear: {units: 2}}]")
        #expect(throws: TrainingError.self) { try Trainer(model: small, data: Spiral.split()) }
    }
}

extension Tensor {
    /// Self if shapes differ from `other` (so comparison is false), used to compare unrelated weights.
    fileprivate func reshapedForComparison(_ other: Tensor) -> Tensor { shape == other.shape ? self : other * 2 }
}
