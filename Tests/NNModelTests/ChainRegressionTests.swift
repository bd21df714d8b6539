import NNKit
import NNTestSupport
import Testing

/// Chains must train to the same bits as before networks became graphs: the fingerprints below were taken with
/// the chain-only `Sequential` (commit 2a94b53), in this test configuration.
@Suite struct ChainRegressionTests {
    static let yaml = """
        input: [2]
        layers:
          - {type: Linear, name: a, units: 16}
          - ReLU
          - {type: BatchNorm, name: norm}
          - {type: Linear, name: b, units: 16}
          - Tanh
          - {type: Dropout, rate: 0.1}
          - {type: Linear, name: out, units: 3}
        optimizer: {type: Adam, lr: 0.01}
        train: {epochs: 3, batch_size: 32, seed: 5}
        """

    /// FNV-1a over the bit patterns of every parameter and buffer, in model order.
    static func fingerprint(_ model: Model) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for named in model.parameters + model.network.buffers {
            for value in named.parameter.value.scalars {
                hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3
            }
        }
        return hash
    }

    @Test func aChainTrainsToTheSameBitsAsBefore() throws {
        let model = try Model(yaml: Self.yaml)
        let trainer = try Trainer(model: model, data: Spiral.split())
        _ = try trainer.run()
        let untrained = try Model(yaml: Self.yaml)
        print("chain fingerprints: initial \(Self.fingerprint(untrained)), trained \(Self.fingerprint(model))")
        #expect(Self.fingerprint(untrained) == Self.initialFingerprint)
        #expect(Self.fingerprint(model) == Self.trainedFingerprint)
    }

    static let initialFingerprint: UInt64 = 18_366_066_821_849_544_647
    static let trainedFingerprint: UInt64 = 13_442_140_724_153_465_711
}
