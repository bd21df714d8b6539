import NNKit
import NNTestSupport
import Testing

/// Every kind of mistake in a model file is reported at the right `line:column` with a useful message.
@Suite struct ModelSpecErrorTests {
    @Test(arguments: MalformedModelCase.all + MalformedModelCase.graph)
    func reportsMistakeAtItsPosition(_ example: MalformedModelCase) {
        do {
            _ = try Model(yaml: example.yaml, file: "bad.yaml")
            Issue.record("\(example.name): no error")
        } catch {
            let text = error.description
            #expect(text.contains("bad.yaml:" + example.location), "\(example.name): \(text)")
            #expect(text.contains(example.message), "\(example.name): \(text)")
        }
    }

    /// Question marks and asterisks inside text, quotes, comments and block scalars are not complex keys.
    @Test func questionMarksInTextAreNotComplexKeys() throws {
        let model = try Model(yaml: """
            name: "why? because"
            description: |
              ? not a key here
              *nor: this
            input: [2]   # ? a comment
            layers:
              - {type: Linear, units: !!int '3'}
            train: {epochs: 0x2, batch_size: 1_000}
            """)
        #expect(model.outputShape == [3])
        #expect(model.spec.train.epochs == 2 && model.spec.train.batchSize == 1000)
    }

    @Test func aByteOrderMarkIsNotPartOfTheDocument() throws {
        #expect(try Model(yaml: "\u{FEFF}input: [2]\nlayers: [{type: Linear, units: 3}]\n").outputShape == [3])
        do {
            _ = try Model(yaml: "\u{FEFF}input: [2]\nlayers: [{type: Linear, unit: 3}]\n", file: "m.yaml")
        } catch {
            #expect(error.description.contains("m.yaml:2:25: error: layer 1 (Linear): unknown option 'unit'"), "\(error)")
        }
    }

    @Test func aLargeFileIsNotBlamedOnAliases() {
        let yaml = "input: [2]\nlayers:\n" + String(repeating: "  - ReLU\n", count: 100_001)
        do {
            _ = try Model(yaml: yaml, file: "m.yaml")
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("more than 100000 values") && error.description.contains("blocks"), "\(error.description.prefix(300))")
        }
    }

    @Test func reportsEveryProblemAtOnce() {
        let yaml = """
            input: [2]
            layers:
              - type: Linear
                unit: 3
              - type: Relu
            optimizer: {type: SGD, lr: 0}
            train: {epochs: -1}
            """
        do {
            _ = try Model(yaml: yaml, file: "m.yaml")
            Issue.record("no error")
        } catch {
            let lines = error.diagnostics.map(\.description)
            #expect(lines.count == 5, "\(lines)")
            #expect(lines.map { String($0.prefix(11)) } == ["m.yaml:3:5:", "m.yaml:4:5:", "m.yaml:5:11", "m.yaml:6:28", "m.yaml:7:17"])
            #expect(error.description.hasSuffix("5 errors"))
        }
    }

    @Test func binaryGarbageIsNotText() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString).yaml").path
        try Data([0xFF, 0xFE, 0x00, 0x01, 0x80, 0x81]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ModelSpecError.self) { try Model(yamlFile: path) }
        do { _ = try Model(yamlFile: path) } catch { #expect(error.description.contains("not UTF-8")) }
        do { _ = try Model(yamlFile: "/nonexistent/model.yaml") } catch { #expect(error.description.contains("cannot open")) }
    }
}

import Foundation
