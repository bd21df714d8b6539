import NNLayers
import NNTestSupport
import Testing

@Suite struct LossTests {
    let logits = try! Tensor(shape: [2, 3], scalars: [0.3, 2.9, 4.0, 1, 1, 1])

    @Test func softmaxWithLossForwardLiteral() throws {
        let loss = SoftmaxWithLoss()
        let value = try loss.forward(logits, targets: .classIndices([2, 0]))
        // −(log 0.73659691 + log(1/3)) / 2
        #expect(abs(value - 0.70216330) < 1e-6)
        let oneHot = try loss.forward(logits, targets: .tensor(try Tensor(shape: [2, 3], scalars: [0, 0, 1, 1, 0, 0])))
        #expect(abs(oneHot - value) < 1e-6)
    }

    /// Log-softmax is computed from the logits, so a confident wrong answer costs its full margin (the textbook's
    /// `log(y + 1e-7)` would stop at 16.1) and no logit, however large, gives inf or NaN.
    @Test func softmaxWithLossIsExactForExtremeLogits() throws {
        let x = try Tensor(shape: [3, 4], scalars: [1000, 0, 0, 0, -50, 40, 0, 0, 3e38, -3e38, 0, 1])
        let loss = SoftmaxWithLoss()
        let value = try loss.forward(x, targets: .classIndices([1, 1, 0]))
        // Row 0: 1000 − 0; row 1: log(1 + e⁻⁴⁰ + 2e⁻⁴⁰ + e⁻⁹⁰) ≈ 0; row 2: 0.
        #expect(abs(value - 1000.0 / 3) < 1e-3)
        let soft = try loss.forward(x, targets: .tensor(try Tensor(shape: [3, 4], scalars: [0, 0.5, 0.5, 0, 0, 1, 0, 0, 1, 0, 0, 0])))
        #expect(abs(soft - 1000.0 / 3) < 1e-3)
        #expect(try loss.backward().scalars.allSatisfy(\.isFinite))
    }

    @Test func softmaxWithLossGradientIsYMinusTOverN() throws {
        let loss = SoftmaxWithLoss()
        _ = try loss.forward(logits, targets: .classIndices([2, 0]))
        let gradient = try loss.backward()
        let expected: [Float] = [0.01821127 / 2, 0.24519181 / 2, (0.73659691 - 1) / 2, (1.0 / 3 - 1) / 2, 1.0 / 6, 1.0 / 6]
        #expect(approximatelyEqual(gradient.scalars, expected))
    }

    @Test(arguments: [false, true])
    func softmaxWithLossMatchesNumerical(oneHot: Bool) throws {
        let x = GradientCheck.sample([4, 5], seed: 21, range: 3)
        let labels = [1, 4, 0, 2]
        let targets: Targets = oneHot
            ? .tensor(try Tensor(shape: [4, 5], scalars: labels.flatMap { label in (0..<5).map { $0 == label ? 1 : 0 } }))
            : .classIndices(labels)
        let loss = SoftmaxWithLoss()
        _ = try loss.forward(x, targets: targets)
        let analytic = try loss.backward()
        let numeric = try GradientCheck.numericalGradient(at: x) { Double(try SoftmaxWithLoss().forward($0, targets: targets)) }
        for (a, n) in zip(analytic.scalars, numeric) { #expect(abs(Double(a) - n) < 2e-4) }
    }

    @Test func softmaxWithLossRejectsBadTargets() throws {
        let loss = SoftmaxWithLoss()
        #expect(throws: LayerError.self) { try loss.forward(logits, targets: .classIndices([3, 0])) }
        #expect(throws: LayerError.self) { try loss.forward(logits, targets: .classIndices([0])) }
        #expect(throws: LayerError.self) { try loss.forward(logits, targets: .tensor(try Tensor.zeros([2, 2]))) }
    }

    @Test func meanSquaredErrorLiteralAndGradient() throws {
        let loss = MeanSquaredError()
        let y = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let t = try Tensor(shape: [2, 2], scalars: [1, 0, 4, 4])
        #expect(try loss.forward(y, targets: .tensor(t)) == 1.25)  // (4 + 1) / 2 / 2
        #expect(try loss.backward().scalars == [0, 1, -0.5, 0])
        let x = GradientCheck.sample([3, 2], seed: 3)
        let target = GradientCheck.sample([3, 2], seed: 4)
        _ = try loss.forward(x, targets: .tensor(target))
        let analytic = try loss.backward()
        let numeric = try GradientCheck.numericalGradient(at: x) { Double(try MeanSquaredError().forward($0, targets: .tensor(target))) }
        for (a, n) in zip(analytic.scalars, numeric) { #expect(abs(Double(a) - n) < 1e-4) }
    }

    @Test func lossesByNameSuggestCloseNames() throws {
        #expect(try Losses.make("SoftmaxCrossEntropy") is SoftmaxWithLoss)
        #expect(throws: RegistryError.unknownType(name: "SoftmaxWithLos", suggestions: ["SoftmaxWithLoss"], kind: "loss")) {
            try Losses.make("SoftmaxWithLos")
        }
    }
}
