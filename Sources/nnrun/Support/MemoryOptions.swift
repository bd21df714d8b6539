import ArgumentParser
import NNKit

/// `--max-memory SIZE`: the memory budget a model is checked against before anything is allocated.
struct MemoryOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The memory the model may plan to use (e.g. 2G, 512M; default: 80% of the machine's memory or of `ulimit -v`).",
        valueName: "size"))
    var maxMemory: String?

    func validate() throws {
        if let maxMemory, MemoryBudget(parsing: maxMemory) == nil {
            throw ValidationError("--max-memory must be a size such as 512M, 2G or 1073741824, found '\(maxMemory)'")
        }
    }

    var budget: MemoryBudget { maxMemory.flatMap(MemoryBudget.init(parsing:)) ?? .automatic }
}
