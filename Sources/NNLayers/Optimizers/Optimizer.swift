/// Updates parameters from their gradients; the texts' third training step.
///
/// Optimisers keep per-parameter state (velocities, moment estimates) keyed by the parameter's dotted
/// name, exposed as `state` with keys `<param>.<slot>` so checkpoints can save and restore it exactly.
public protocol Optimizer: AnyObject {
    /// The type name (`SGD`, `Adam`, …).
    var typeName: String { get }
    /// The step size; schedules change it between steps.
    var learningRate: Float { get set }
    /// The hyperparameters, for checkpoint metadata and summaries.
    var hyperparameters: [String: Double] { get }
    /// The number of updates made so far.
    var stepCount: Int { get }
    /// Applies one update to every parameter from its `gradient`.
    func update(_ parameters: [NamedParameter])
    /// The per-parameter slots, keyed `<param>.<slot>` (e.g. `hidden.weight.m`).
    var state: [String: Tensor] { get }
    /// Restores slots and the step count saved from `state` and `stepCount`.
    func restore(state: [String: Tensor], stepCount: Int) throws
}

/// Slot storage shared by the optimisers: one tensor per parameter and slot name.
struct OptimizerSlots {
    private(set) var values: [String: Tensor] = [:]

    /// Calls `body` with a pointer to `parameter`'s slot, created as zeros of its shape on first use.
    mutating func withSlot<R>(_ slot: String, for parameter: NamedParameter, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        var tensor = take(slot, for: parameter)
        defer { values[parameter.name + "." + slot] = tensor }
        return tensor.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// Calls `body` with pointers to two slots of `parameter` at once (Adam's `m` and `v`).
    mutating func withSlots<R>(
        _ first: String, _ second: String, for parameter: NamedParameter,
        _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> R
    ) -> R {
        var a = take(first, for: parameter), b = take(second, for: parameter)
        defer {
            values[parameter.name + "." + first] = a
            values[parameter.name + "." + second] = b
        }
        return a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeMutableBufferPointer { b in body(a.baseAddress!, b.baseAddress!) }
        }
    }

    /// Removes and returns a slot (so it is uniquely referenced while mutated), or new zeros.
    private mutating func take(_ slot: String, for parameter: NamedParameter) -> Tensor {
        let key = parameter.name + "." + slot
        if let tensor = values.removeValue(forKey: key), tensor.shape == parameter.parameter.value.shape { return tensor }
        return Tensor(uncheckedZerosLike: parameter.parameter.value)
    }

    mutating func restore(_ state: [String: Tensor], slots: [String]) throws {
        for key in state.keys where !slots.contains(where: { key.hasSuffix("." + $0) }) {
            throw OptimizerError.unknownSlot(key)
        }
        values = state
    }
}

/// An error restoring or configuring an optimiser.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// A saved state key that this optimiser does not use.
    case unknownSlot(String)

    public var description: String {
        switch self {
        case .unknownSlot(let key): "optimizer state '\(key)' does not belong to this optimizer type"
        }
    }
}

extension Parameter {
    /// Calls `body` with pointers to the value and the gradient and a range of elements to update; the ranges
    /// cover the parameter and run on the kernel threads when it is large (`ThreadPool.forEachRange`), which an
    /// elementwise update does not notice in its results.
    @inline(__always)
    func withValueAndGradient(_ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Range<Int>) -> Void) {
        let gradient = self.gradient
        gradient.withUnsafeBufferPointer { g in
            value.withUnsafeMutableBufferPointer { w in
                let (value, gradient) = (w.baseAddress!, g.baseAddress!)
                ThreadPool.shared.forEachRange(w.count) { range in body(value, gradient, range) }
            }
        }
    }
}
