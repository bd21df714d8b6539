import NNLayers
import NNTestSupport
import Testing

/// A user-defined layer, registered the way the README shows.
final class Scale: RegistrableLayer {
    static let typeName = "Scale"
    static let summary = "Multiplies by a constant factor"
    static let options = [LayerOption("factor", .double, required: true, "the factor")]
    let factor: Float
    init(configuration: LayerConfiguration) throws { factor = Float(try configuration.double("factor")) }
    func outputShape(forInput shape: [Int]) -> [Int] { shape }
    func forward(_ input: Tensor, training: Bool) throws -> Tensor { input * factor }
    func backward(_ outputGradient: Tensor) throws -> Tensor { outputGradient * factor }
}

@Suite struct RegistryTests {
    @Test func builtInsAndAliases() throws {
        let registry = LayerRegistry.shared
        for name in ["Linear", "Affine", "Dense", "ReLU", "Sigmoid", "Tanh", "Softmax", "Flatten", "MatMul"] {
            #expect(registry.contains(name), "\(name)")
        }
        #expect(try registry.type(named: "Affine").name == "Linear")
        #expect(try registry.type(named: "Dense").options.contains { $0.name == "units" })
        let layer = try registry.makeLayer("Dense", configuration: LayerConfiguration(options: ["units": .int(4)], inputShape: [3]))
        #expect(try layer.outputShape(forInput: [3]) == [4])
    }

    @Test func registersCustomLayerAndRejectsTakenName() throws {
        let registry = LayerRegistry()
        try registry.register(Scale.self)
        let layer = try registry.makeLayer("Scale", configuration: LayerConfiguration(options: ["factor": .double(3)], inputShape: [2]))
        #expect(try layer.forward(Tensor([1, 2]), training: false).scalars == [3, 6])
        #expect(throws: RegistryError.nameTaken(name: "Scale", heldBy: "Scale", origin: "code")) { try registry.register(Scale.self) }
        #expect(throws: ConfigurationError.self) { try registry.makeLayer("Scale", configuration: LayerConfiguration(inputShape: [2])) }
        let report = try GradientCheck.check(layer, input: GradientCheck.sample([2, 3], seed: 1))
        #expect(report.worstError < 1e-3)
    }

    @Test func unknownNameSuggestsClosest() {
        do {
            _ = try LayerRegistry.shared.type(named: "Relu")
            Issue.record("expected an error")
        } catch {
            guard case .unknownType(_, let suggestions, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(suggestions.first == "ReLU")
            #expect(error.description.contains("did you mean 'ReLU'"))
        }
    }

    @Test func concurrentRegistrationIsSafe() async throws {
        let registry = LayerRegistry()
        let names = (0..<64).map { "Custom\($0)" }
        await withTaskGroup(of: Void.self) { group in
            for name in names {
                group.addTask {
                    try? registry.register(LayerType(name: name, summary: "test") { _ in ReLU() })
                    _ = registry.allNames
                }
            }
        }
        #expect(registry.allNames == names.sorted())
    }

    @Test func gradientCheckDetectsAWrongBackward() throws {
        final class WrongScale: Layer {
            func outputShape(forInput shape: [Int]) -> [Int] { shape }
            func forward(_ input: Tensor, training: Bool) throws -> Tensor { input * 2 }
            func backward(_ outputGradient: Tensor) throws -> Tensor { outputGradient * 3 }
        }
        let report = try GradientCheck.check(WrongScale(), input: GradientCheck.sample([2, 2], seed: 1))
        #expect(report.worstError > 0.1)
    }
}
