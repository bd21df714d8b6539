import NNLayers
import NNTestSupport
import Testing

/// The source texts' worked examples of backpropagation through a computation graph.
@Suite struct GraphNodeTests {
    func scalar(_ value: Float) -> Tensor { Tensor([value]) }

    @Test func buyingTwoApples() throws {
        let appleCount = MulNode(), tax = MulNode()
        let applePrice = try appleCount.forward(scalar(100), scalar(2))
        let price = try tax.forward(applePrice, scalar(1.1))
        #expect(abs(price.scalars[0] - 220) < 1e-4)

        let (dApplePrice, dTax) = try tax.backward(scalar(1))
        let (dApple, dAppleCount) = try appleCount.backward(dApplePrice)
        #expect(abs(dApple.scalars[0] - 2.2) < 1e-6)
        #expect(abs(dAppleCount.scalars[0] - 110) < 1e-4)
        #expect(dTax.scalars[0] == 200)
    }

    @Test func buyingApplesAndOranges() throws {
        let appleCount = MulNode(), orangeCount = MulNode(), add = AddNode(), tax = MulNode()
        let applePrice = try appleCount.forward(scalar(100), scalar(2))
        let orangePrice = try orangeCount.forward(scalar(150), scalar(3))
        let total = try add.forward(applePrice, orangePrice)
        let price = try tax.forward(total, scalar(1.1))
        #expect(abs(price.scalars[0] - 715) < 1e-3)

        let (dTotal, dTax) = try tax.backward(scalar(1))
        let (dApplePrice, dOrangePrice) = try add.backward(dTotal)
        let (dApple, dAppleCount) = try appleCount.backward(dApplePrice)
        let (dOrange, dOrangeCount) = try orangeCount.backward(dOrangePrice)
        #expect(abs(dAppleCount.scalars[0] - 110) < 1e-4)
        #expect(abs(dApple.scalars[0] - 2.2) < 1e-6)
        #expect(abs(dOrange.scalars[0] - 3.3) < 1e-6)
        #expect(abs(dOrangeCount.scalars[0] - 165) < 1e-4)
        #expect(dTax.scalars[0] == 650)
    }

    @Test func repeatSumsAndSumRepeats() throws {
        let repeatNode = RepeatNode(count: 3)
        let row = try Tensor(shape: [1, 2], scalars: [1, 2])
        #expect(try repeatNode.forward(row).scalars == [1, 2, 1, 2, 1, 2])
        let upstream = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try repeatNode.backward(upstream).scalars == [9, 12])

        let sum = SumNode()
        #expect(try sum.forward(upstream).scalars == [9, 12])
        #expect(try sum.backward(row).scalars == [1, 2, 1, 2, 1, 2])
        #expect(throws: LayerError.self) { try sum.backward(upstream) }
    }

    @Test func nodesRejectDifferentShapes() {
        #expect(throws: TensorError.self) { try AddNode().forward(Tensor([1, 2]), Tensor([1])) }
        #expect(throws: TensorError.self) { try MulNode().forward(Tensor([1, 2]), Tensor([1])) }
    }
}
