import NNCore

// The differentiable operations as operators and free functions, in DeZero's style:
// `let y = tanh(x * w + b)`, then `try y.backward()`.

/// `a + b` with broadcasting (`Add`).
public func + (a: Variable, b: Variable) throws -> Variable { try Add()(a, b) }
/// `a − b` with broadcasting (`Subtract`).
public func - (a: Variable, b: Variable) throws -> Variable { try Subtract()(a, b) }
/// `a ⊙ b` with broadcasting (`Multiply`).
public func * (a: Variable, b: Variable) throws -> Variable { try Multiply()(a, b) }
/// `a / b` with broadcasting (`Divide`).
public func / (a: Variable, b: Variable) throws -> Variable { try Divide()(a, b) }
/// `−x` (`Negate`).
public prefix func - (x: Variable) throws -> Variable { try negate(x) }

/// `a + b` for a constant `b`.
public func + (a: Variable, b: Float) throws -> Variable { try a + Variable(b) }
/// `a + b` for a constant `a`.
public func + (a: Float, b: Variable) throws -> Variable { try Variable(a) + b }
/// `a − b` for a constant `b`.
public func - (a: Variable, b: Float) throws -> Variable { try a - Variable(b) }
/// `a − b` for a constant `a`.
public func - (a: Float, b: Variable) throws -> Variable { try Variable(a) - b }
/// `a · b` for a constant `b`.
public func * (a: Variable, b: Float) throws -> Variable { try a * Variable(b) }
/// `a · b` for a constant `a`.
public func * (a: Float, b: Variable) throws -> Variable { try Variable(a) * b }
/// `a / b` for a constant `b`.
public func / (a: Variable, b: Float) throws -> Variable { try a / Variable(b) }
/// `a / b` for a constant `a`.
public func / (a: Float, b: Variable) throws -> Variable { try Variable(a) / b }

/// `−x`.
public func negate(_ x: Variable) throws -> Variable { try Negate()(x) }
/// `xᶜ` for a constant `c`.
public func pow(_ x: Variable, _ exponent: Float) throws -> Variable { try Power(exponent)(x) }
/// `eˣ`.
public func exp(_ x: Variable) throws -> Variable { try Exp()(x) }
/// `ln x`.
public func log(_ x: Variable) throws -> Variable { try Log()(x) }
/// `√x`.
public func sqrt(_ x: Variable) throws -> Variable { try SquareRoot()(x) }
/// `tanh x`.
public func tanh(_ x: Variable) throws -> Variable { try HyperbolicTangent()(x) }
/// `1 / (1 + e⁻ˣ)`.
public func sigmoid(_ x: Variable) throws -> Variable { try LogisticSigmoid()(x) }
/// `max(x, 0)`.
public func relu(_ x: Variable) throws -> Variable { try RectifiedLinear()(x) }
/// Row-wise softmax of `[N, C]`.
public func softmax(_ x: Variable) throws -> Variable { try SoftmaxFunction()(x) }
/// Row-wise log-softmax of `[N, C]`.
public func logSoftmax(_ x: Variable) throws -> Variable { try LogSoftmax()(x) }
/// The sum of all elements, or along `axis`.
public func sum(_ x: Variable, axis: Int? = nil, keepingDimension: Bool = false) throws -> Variable {
    try Sum(axis: axis, keepingDimension: keepingDimension)(x)
}
/// The mean of all elements, or along `axis`.
public func mean(_ x: Variable, axis: Int? = nil, keepingDimension: Bool = false) throws -> Variable {
    let count = axis.map { x.shape[$0] } ?? x.data.count
    return try sum(x, axis: axis, keepingDimension: keepingDimension) * (1 / Float(Swift.max(count, 1)))
}
/// `x` with a new shape.
public func reshape(_ x: Variable, _ shape: [Int]) throws -> Variable {
    x.shape == shape ? x : try Reshape(shape)(x)
}
/// The 2-D transpose.
public func transpose(_ x: Variable) throws -> Variable { try Transpose()(x) }
/// `op(a) · op(b)`.
public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) throws -> Variable {
    try MatrixMultiply(transposeA: transposeA, transposeB: transposeB)(a, b)
}
/// `x` broadcast to `shape`.
public func broadcast(_ x: Variable, to shape: [Int]) throws -> Variable {
    x.shape == shape ? x : try BroadcastTo(shape)(x)
}
/// `x` summed over broadcast dimensions down to `shape`.
public func sumTo(_ x: Variable, _ shape: [Int]) throws -> Variable {
    x.shape == shape ? x : try SumTo(shape)(x)
}
/// Rows `x[indices]`.
public func rows(_ x: Variable, _ indices: [Int]) throws -> Variable { try Rows(indices)(x) }
/// Mean softmax cross-entropy of `[N, C]` scores against class indices.
public func softmaxCrossEntropy(_ x: Variable, labels: [Int]) throws -> Variable { try SoftmaxCrossEntropy(labels: labels)(x) }
