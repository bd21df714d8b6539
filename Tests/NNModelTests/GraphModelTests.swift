import Foundation
import NNKit
import NNTestSupport
import Testing

/// Model files and code that describe graphs: inputs, merges, blocks, and everything downstream of them.
@Suite struct GraphModelTests {
    /// The residual example of the graph-models issue, on small images, with a classifier head.
    static let residualYAML = """
        input: [1, 6, 6]
        layers:
          - {type: Conv2D, name: stem, filters: 4, kernel: 3, padding: 1}
          - {type: ReLU, name: a}
          - {type: Conv2D, name: c1, filters: 4, kernel: 3, padding: 1}
          - ReLU
          - {type: Conv2D, name: c2, filters: 4, kernel: 3, padding: 1}
          - {type: Add, name: res, inputs: [a, c2]}
          - ReLU
          - GlobalAvgPool2D
          - {type: Linear, name: out, units: 3}
        optimizer: {type: Adam, lr: 0.01}
        train: {epochs: 2, batch_size: 8, seed: 3}
        """

    static let blockYAML = """
        input: [4]
        blocks:
          residual:
            arguments: {units: 4, rate: 0.0}
            layers:
              - {type: Linear, name: fc1, units: $units}
              - ReLU
              - {type: Linear, name: fc2, units: $units}
              - {type: Add, name: sum, inputs: [input, fc2]}
        layers:
          - {type: Linear, name: stem, units: 4}
          - {type: residual, name: block1}
          - {type: residual, name: block2}
          - {type: Linear, name: out, inputs: block1.sum, units: 3}
        optimizer: {type: SGD, lr: 0.1}
        train: {epochs: 2, batch_size: 10, seed: 1}
        """

    @Test func theResidualExampleBuildsAndTrains() throws {
        let model = try Model(yaml: Self.residualYAML)
        #expect(model.layerShapes[5] == [4, 6, 6])
        #expect(model.inputNames(ofLayer: 5) == ["a", "c2"])
        #expect(!model.network.isChain)
        #expect(model.summary.contains("res (Add)") && model.summary.contains("a, c2"))
        let images = (0..<(24 * 36)).map { Float(($0 * 7919) % 13) / 13 }
        let labels = (0..<24).map { $0 % 3 }
        let set = try Dataset(features: .floats(images), labels: labels, sampleShape: [1, 6, 6], classCount: 3)
        let data = DataSplit(train: set, test: set)
        let reports = try Trainer(model: model, data: data).run()
        #expect(reports.count == 2 && reports.allSatisfy { $0.trainLoss.isFinite })
    }

    @Test func blocksExpandWithDottedNamesAndTheirOwnSeeds() throws {
        let model = try Model(yaml: Self.blockYAML)
        let names = model.parameters.map(\.name)
        #expect(names.contains("block1.fc1.weight") && names.contains("block2.fc2.bias") && names.contains("out.weight"))
        let weight = { (name: String) in model.parameters.first { $0.name == name }!.parameter.value.scalars }
        #expect(weight("block1.fc1.weight") != weight("block2.fc1.weight"))
        // `out` takes block1's sum, so block2 is unused: a warning, not an error.
        #expect(model.inputNames(ofLayer: model.network.layers.count - 1) == ["block1.sum"])
        #expect(model.warnings.contains { $0.message.contains("'block2.sum'") })
        // Arguments: a use may override the default.
        let wide = try Model(yaml: Self.blockYAML.replacingOccurrences(of: "name: block2}", with: "name: block2, units: 4}"))
        #expect(wide.parameterCount == model.parameterCount)
    }

    @Test func specsWithGraphsAndBlocksRoundTripThroughYAML() throws {
        for yaml in [Self.residualYAML, Self.blockYAML] {
            let spec = try ModelSpec(yaml: yaml)
            #expect(try ModelSpec(yaml: spec.yamlText) == spec, "\(spec.yamlText)")
        }
        let classes = try ModelSpec(yaml: Self.blockYAML + "\nclasses: [a, b, c]\n")
        #expect(classes.classes == ["a", "b", "c"])
        #expect(try ModelSpec(yaml: classes.yamlText) == classes)
        let spec = try ModelSpec(yaml: Self.blockYAML)
        #expect(spec.blocks["residual"]?.arguments["units"] == .int(4))
        #expect(spec.layers[3].inputs == ["block1.sum"])
    }

    /// Two epochs straight equal one epoch, a checkpoint, and a resumed epoch, bit for bit.
    @Test func aGraphModelResumesBitIdentically() throws {
        let data = Spiral.split()
        let yaml = Self.blockYAML.replacingOccurrences(of: "inputs: block1.sum, ", with: "").replacingOccurrences(of: "input: [4]", with: "input: [2]")
        let straight = try Model(yaml: yaml)
        _ = try Trainer(model: straight, data: data).run()

        let first = try Model(yaml: yaml)
        let firstTrainer = try Trainer(model: first, data: data)
        firstTrainer.settings.epochs = 1
        _ = try firstTrainer.run()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("graph-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try first.save(to: path, progress: TrainingProgress(epoch: 1, step: first.optimizer.stepCount))

        let resumed = try Model(yaml: yaml)
        let progress = try resumed.resume(from: try Checkpoint(contentsOf: path), path: path)
        let trainer = try Trainer(model: resumed, data: data)
        trainer.completedEpochs = progress.epoch
        _ = try trainer.run()
        #expect(try Checkpoint(contentsOf: path).tensors.keys.contains("block2.fc1.weight"))
        #expect(ChainRegressionTests.fingerprint(resumed) == ChainRegressionTests.fingerprint(straight))
    }

    @Test func theFunctionalBuilderGivesTheSameModelAsTheFile() throws {
        var graph = ModelGraph(input: [1, 6, 6])
        let stem = graph.add("Conv2D", name: "stem", options: ["filters": 4, "kernel": 3, "padding": 1])
        let a = graph.add("ReLU", stem, name: "a")
        graph.add("Conv2D", name: "c1", options: ["filters": 4, "kernel": 3, "padding": 1])
        graph.add("ReLU", name: "relu")
        let c2 = graph.add("Conv2D", name: "c2", options: ["filters": 4, "kernel": 3, "padding": 1])
        graph.add("Add", a, c2, name: "res")
        graph.add("ReLU", name: "relu2")
        graph.add("GlobalAvgPool2D", name: "pool")
        graph.add("Linear", name: "out", options: ["units": 3])
        let fromFile = try Model(yaml: Self.residualYAML)
        let spec = graph.spec(name: "residual", optimizer: fromFile.spec.optimizer, train: fromFile.spec.train)
        let built = try Model(spec: spec)
        #expect(built.layerShapes == fromFile.layerShapes)
        #expect(built.network.inputs == fromFile.network.inputs)
        // Same layers, same seeds (by position), so the same initial weights.
        #expect(built.parameters.map(\.parameter.value) == fromFile.parameters.map(\.parameter.value))
        #expect(try Model(yaml: built.spec.yamlText).network.inputs == fromFile.network.inputs)
        // Names are generated for unnamed layers, so that later layers can take them.
        var unnamed = ModelGraph(input: [2])
        let x = unnamed.add("Linear", options: ["units": 3])
        let y = unnamed.add("Linear", unnamed.input, options: ["units": 3])
        unnamed.add("Add", x, y)
        #expect(unnamed.layers.map(\.name) == ["linear_1", "linear_2", "add_1"])
        #expect(try Model(spec: unnamed.spec(name: "u")).inputNames(ofLayer: 2) == ["linear_1", "linear_2"])
    }

    @Test func dataThatDoesNotFitIsReportedAtTheLinesOfTheModelFile() throws {
        let model = try Model(yaml: "input: [3]\nlayers:\n  - {type: Linear, units: 8}\n  - {type: Linear, units: 2}\n", file: "m.yaml")
        let problems = model.dataDiagnostics(for: Spiral.split()).map(\.description)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.first { $0.hasPrefix("m.yaml:1:8:") }?.contains("shape [2]") == true, "\(problems)")
        #expect(problems.first { $0.hasPrefix("m.yaml:4:5:") }?.contains("3 classes") == true, "\(problems)")
        #expect(throws: TrainingError.self) { try Trainer(model: model, data: Spiral.split()) }
        // A test label beyond the outputs is found before training, not after the first epoch.
        let three = try Model(yaml: "input: [2]\nlayers:\n  - {type: Linear, units: 3}\n", file: "m.yaml")
        let train = try Dataset(features: .floats([0, 0, 1, 1]), labels: [0, 2], sampleShape: [2], classCount: 3)
        let test = try Dataset(features: .floats([0, 0, 1, 1]), labels: [0, 4], sampleShape: [2], classCount: 5)
        let found = three.dataDiagnostics(for: DataSplit(train: train, test: test)).map(\.description)
        #expect(found.count == 1 && found[0].hasPrefix("m.yaml:3:5:") && found[0].contains("test set has labels up to 4"), "\(found)")
    }

    @Test func graphDrawingsNameEveryLayerAndEdge() throws {
        let model = try Model(yaml: Self.residualYAML)
        let dot = model.graphvizText
        #expect(dot.hasPrefix("digraph") && dot.contains(#""a" -> "res";"#) && dot.contains(#""c2" -> "res";"#) && dot.contains(#""input" -> "stem";"#))
        let svg = model.svgDrawing
        #expect(svg.hasPrefix("<svg") && svg.contains(">res<") && svg.components(separatedBy: "stroke-width=\"1.2\"").count - 1 == 10)
    }
}
