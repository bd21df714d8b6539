import NNKit
import NNTestSupport
import Testing

/// Autograd operations run the layers' kernels: the same input gives the same bits through a `Variable`
/// operation and through the layer of the same name.
@Suite struct KernelParityTests {
    let x = GradientCheck.sample([7, 19], seed: 3, range: 4)

    @Test func activationsAndSoftmaxGiveTheLayersBits() throws {
        let pairs: [(String, (Variable) throws -> Variable, any Layer)] = [
            ("ReLU", relu, ReLU()), ("Sigmoid", sigmoid, Sigmoid()), ("Tanh", tanh, Tanh()), ("Softmax", softmax, Softmax()),
        ]
        for (name, operation, layer) in pairs {
            let viaAutograd = try operation(Variable(x)).data.scalars.map(\.bitPattern)
            let viaLayer = try layer.forward(x, training: false).scalars.map(\.bitPattern)
            #expect(viaAutograd == viaLayer, "\(name)")
        }
    }

    @Test func matmulPlusBiasGivesLinearsBits() throws {
        let linear = try Linear(inputSize: 19, outputSize: 11, initializer: .xavier, seed: 4)
        linear.bias!.value = GradientCheck.sample([11], seed: 5)
        let viaAutograd = try matmul(Variable(x), Variable(linear.weight.value)) + Variable(linear.bias!.value)
        let viaLayer = try linear.forward(x, training: true)
        #expect(viaAutograd.data.scalars.map(\.bitPattern) == viaLayer.scalars.map(\.bitPattern))
    }
}
