import NNCore
import Synchronization

/// A value in a define-by-run graph (DeZero's `Variable`): data, its gradient, and the function that made it.
///
/// Calling operations on variables records the graph as the computation runs; `backward()` then walks it
/// in reverse. A variable keeps its creator alive, a function keeps its inputs alive but refers to its
/// outputs weakly, so the graph is freed as soon as the last result is released.
public final class Variable {
    /// The value.
    public var data: Tensor
    /// ∂(result)/∂(self) after `backward()`; itself a variable so that gradients can be differentiated again.
    public var grad: Variable?
    /// An optional name for debugging.
    public var name: String?
    /// The function whose output this is; `nil` for leaves (inputs and parameters).
    public private(set) var creator: Function?
    /// The depth in the graph: one more than the creator's deepest input.
    public private(set) var generation = 0

    private static let live = Atomic<Int>(0)
    /// The number of `Variable` objects alive in the process (for memory tests and leak hunting).
    public static var liveCount: Int { live.load(ordering: .relaxed) }

    /// Wraps a tensor as a leaf.
    public init(_ data: Tensor, name: String? = nil) {
        self.data = data
        self.name = name
        Self.live.add(1, ordering: .relaxed)
    }

    /// A scalar leaf.
    public convenience init(_ value: Float, name: String? = nil) {
        self.init(Tensor(scalar: value), name: name)
    }

    deinit { Self.live.subtract(1, ordering: .relaxed) }

    /// The shape of `data`.
    public var shape: [Int] { data.shape }

    func setCreator(_ function: Function) {
        creator = function
        generation = function.generation + 1
    }

    /// Forgets the gradient (before a new backward pass on the same leaves).
    public func clearGradient() { grad = nil }

    /// Back-propagates from this variable: every variable it depends on gets `grad` = ∂self/∂variable
    /// (summed over all paths). Functions run in decreasing generation, so a variable used on several paths
    /// has its gradients summed before it propagates further.
    ///
    /// - Parameters:
    ///   - gradient: ∂L/∂self; ones by default (a scalar result).
    ///   - retainGradients: keep gradients of intermediate variables (by default only leaves keep theirs).
    ///   - createGraph: record the backward computation itself, so that `grad` can be differentiated again.
    public func backward(gradient: Tensor? = nil, retainGradients: Bool = false, createGraph: Bool = false) throws {
        if grad == nil {
            grad = Variable(gradient ?? Tensor(uncheckedOnesLike: data))
        }
        var functions: [Function] = []
        var seen = Set<ObjectIdentifier>()
        func add(_ function: Function) {
            if seen.insert(ObjectIdentifier(function)).inserted {
                functions.append(function)
                functions.sort { $0.generation < $1.generation }
            }
        }
        if let creator { add(creator) }
        try GradientMode.with(enabled: createGraph) {
            while let function = functions.popLast() {
                let outputGradients = function.outputs.map { $0.value?.grad ?? Variable(Tensor(uncheckedZerosLike: $0.value?.data ?? Tensor(scalar: 0))) }
                let inputGradients = try function.backward(outputGradients)
                precondition(inputGradients.count == function.inputs.count, "internal: \(type(of: function)) returned the wrong number of gradients")
                for (input, gradient) in zip(function.inputs, inputGradients) {
                    input.grad = try input.grad.map { try $0 + gradient } ?? gradient
                    if let creator = input.creator { add(creator) }
                }
                if !retainGradients {
                    for output in function.outputs { output.value?.grad = nil }
                }
            }
        }
    }
}
