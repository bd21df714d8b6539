import NNLayers

/// Numerical gradient checks by central differences, accumulated in `Double`.
///
/// The scalar checked is `L = Σᵢ wᵢ·yᵢ` for the layer's output `y` and fixed pseudo-random weights `w`,
/// so every output element contributes with a different weight and `∂L/∂y = w` is what `backward` gets.
public enum GradientCheck {
    /// The largest relative error between analytic and numerical gradients found by `check`.
    public struct Report: CustomStringConvertible {
        /// The worst relative error over the input and every parameter.
        public var worstError: Double
        /// Where it occurred, e.g. `input[3]` or `weight[7]`.
        public var worstLocation: String
        /// The analytic and numerical values there.
        public var values: (analytic: Double, numerical: Double) = (0, 0)
        public var description: String {
            "worst relative error \(worstError) at \(worstLocation): analytic \(values.analytic), numerical \(values.numerical)"
        }
    }

    /// A tensor of `shape` with values in `[-range, range]` kept at least `margin` away from zero
    /// (so kinks such as ReLU's at 0 are not straddled by the finite difference).
    public static func sample(_ shape: [Int], seed: UInt64, range: Float = 1, margin: Float = 0.05) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let values = (0..<count).map { _ -> Float in
            let magnitude = margin + (range - margin) * Float(generator.nextUnitDouble())
            return generator.next() & 1 == 0 ? magnitude : -magnitude
        }
        return try! Tensor(shape: shape, scalars: values)
    }

    /// Compares `layer`'s backward pass with central differences of `L = Σ w·forward(x)`.
    ///
    /// - Parameters:
    ///   - step: the finite-difference step `h`; `(L(x+h) − L(x−h)) / 2h` is evaluated in `Double`.
    public static func check(_ layer: any Layer, input: Tensor, training: Bool = true, step: Float = 1e-2, seed: UInt64 = 7) throws -> Report {
        let output = try layer.forward(input, training: training)
        let weights = sample(output.shape, seed: seed)
        let analyticInput = try layer.backward(weights)
        let analyticParameters = layer.parameters.map { ($0.name, $0.parameter.gradient) }

        func loss() throws -> Double {
            let y = try layer.forward(input, training: training)
            return zip(y.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var report = Report(worstError: 0, worstLocation: "nothing")
        func compare(_ analytic: Float, _ numeric: Double, _ location: String) {
            let error = abs(Double(analytic) - numeric) / max(1e-2, abs(Double(analytic)) + abs(numeric))
            if error > report.worstError {
                report = Report(worstError: error, worstLocation: location, values: (Double(analytic), numeric))
            }
        }

        var x = input
        for i in 0..<input.count {
            let original = input.scalars[i]
            x = perturbed(x, at: i, to: original + step)
            let plus = try layer.forward(x, training: training)
            x = perturbed(x, at: i, to: original - step)
            let minus = try layer.forward(x, training: training)
            x = perturbed(x, at: i, to: original)
            let difference = zip(zip(plus.scalars, minus.scalars), weights.scalars).reduce(0.0) {
                $0 + (Double($1.0.0) - Double($1.0.1)) * Double($1.1)
            }
            compare(analyticInput.scalars[i], difference / (2 * Double(step)), "input[\(i)]")
        }
        _ = x
        for (named, (name, analytic)) in zip(layer.parameters, analyticParameters) {
            let parameter = named.parameter
            for i in 0..<parameter.value.count {
                let original = parameter.value.scalars[i]
                parameter.value = perturbed(parameter.value, at: i, to: original + step)
                let plus = try loss()
                parameter.value = perturbed(parameter.value, at: i, to: original - step)
                let minus = try loss()
                parameter.value = perturbed(parameter.value, at: i, to: original)
                compare(analytic.scalars[i], (plus - minus) / (2 * Double(step)), "\(name)[\(i)]")
            }
        }
        return report
    }

    /// Central differences of a scalar function of a tensor, in `Double`.
    public static func numericalGradient(at x: Tensor, step: Float = 1e-2, _ f: (Tensor) throws -> Double) rethrows -> [Double] {
        var point = x
        return try (0..<x.count).map { i in
            let original = x.scalars[i]
            point = perturbed(point, at: i, to: original + step)
            let plus = try f(point)
            point = perturbed(point, at: i, to: original - step)
            let minus = try f(point)
            point = perturbed(point, at: i, to: original)
            return (plus - minus) / (2 * Double(step))
        }
    }

    private static func perturbed(_ tensor: Tensor, at index: Int, to value: Float) -> Tensor {
        var copy = tensor
        copy.withUnsafeMutableBufferPointer { $0[index] = value }
        return copy
    }
}

/// Compares two float arrays elementwise within an absolute-plus-relative tolerance.
public func approximatelyEqual(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0), abs($1)) }
}

extension GradientCheck {
    /// Compares a merge layer's `inputGradients(for:)` with central differences of `L = Σ w·forward(inputs)`,
    /// for every element of every input.
    public static func check(_ layer: any MergeLayer, inputs: [Tensor], step: Float = 1e-2, seed: UInt64 = 7) throws -> Report {
        let output = try layer.forward(inputs, training: true)
        let weights = sample(output.shape, seed: seed)
        let analytic = try layer.inputGradients(for: weights)
        var report = Report(worstError: 0, worstLocation: "nothing")
        for (slot, input) in inputs.enumerated() {
            let numerical = try numericalGradient(at: input, step: step) { x in
                var perturbed = inputs
                perturbed[slot] = x
                let y = try layer.forward(perturbed, training: true)
                return zip(y.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
            for (i, (a, n)) in zip(analytic[slot].scalars, numerical).enumerated() {
                let error = abs(Double(a) - n) / max(1e-2, abs(Double(a)) + abs(n))
                if error > report.worstError { report = Report(worstError: error, worstLocation: "input\(slot + 1)[\(i)]", values: (Double(a), n)) }
            }
        }
        return report
    }
}
