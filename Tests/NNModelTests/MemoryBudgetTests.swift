import NNKit
import Testing

/// Models that cannot fit are refused while they are built, before their parameters are allocated.
@Suite struct MemoryBudgetTests {
    @Test func sizesParse() {
        #expect(MemoryBudget(parsing: "512M")?.bytes == 512 << 20)
        #expect(MemoryBudget(parsing: "2G")?.bytes == 2 << 30)
        #expect(MemoryBudget(parsing: "1.5GiB")?.bytes == 3 << 29)
        #expect(MemoryBudget(parsing: "1000")?.bytes == 1000)
        #expect(MemoryBudget(parsing: "-1G") == nil && MemoryBudget(parsing: "x") == nil && MemoryBudget(parsing: "1e30") == nil)
        #expect(MemoryBudget.automatic.bytes > 0)
    }

    @Test func aModelOverTheBudgetIsReportedAtTheLayerThatCrossesIt() {
        let yaml = """
            input: [1, 28, 28]
            layers:
              - {type: Conv2D, name: conv, filters: 8, kernel: 3}
              - Flatten
              - {type: Linear, name: big, units: 4096}
              - {type: Linear, units: 10}
            train: {batch_size: 64}
            """
        do {
            _ = try Model(yaml: yaml, file: "m.yaml", memoryBudget: MemoryBudget(bytes: 200 << 20))
            Issue.record("no error")
        } catch {
            let text = error.description
            #expect(text.contains("m.yaml:5:38:") && text.contains("the memory budget leaves") && text.contains("'big'"), "\(text)")
        }
        #expect(throws: Never.self) { try Model(yaml: yaml, memoryBudget: MemoryBudget(bytes: 2 << 30)) }
    }

    /// A hundred layers of a gigabyte each are refused at the first that does not fit, with nothing allocated.
    @Test func manyHugeLayersAreRefusedBeforeAllocation() {
        let layers = String(repeating: "  - {type: Linear, units: 16384}\n", count: 100)
        do {
            _ = try Model(yaml: "input: [16384]\nlayers:\n" + layers, file: "m.yaml", memoryBudget: MemoryBudget(bytes: 1 << 30))
            Issue.record("no error")
        } catch {
            #expect(error.diagnostics.count == 1, "\(error.description)")
            #expect(error.description.contains("memory budget"), "\(error.description)")
        }
    }
}
