import Keras
import KerasTestSupport
import Testing

/// `BatchNormalization(synchronized: true)`: Keras's config key round-trips, and with a single
/// replica (a sum over replicas that leaves its buffer alone) it trains exactly as the plain
/// layer, on the channels-last kernel and, for another axis, through a transposition, with and
/// without batch renormalization.
@Suite struct SynchronizedBatchNormTests {
    @Test func configRoundTripsTheSynchronizedFlag() throws {
        let layer = try BatchNormalization(config: ["synchronized": true, "axis": 1])
        #expect(layer.synchronized)
        #expect(layer.getConfig()["synchronized"] == true)
        #expect(BatchNormalization().getConfig()["synchronized"] == false)
    }

    @Test(arguments: [(-1, false), (1, false), (-1, true), (1, true)])
    func oneReplicaTrainsLikeThePlainLayer(axis: Int, renorm: Bool) {
        let x = Tensor.randomNormal([4, 3, 5], seed: 7)
        let plain = BatchNormalization(axis: axis, renorm: renorm)
        let synced = BatchNormalization(axis: axis, synchronized: true, renorm: renorm)
        let shard = BatchShard(start: 0, count: 4, globalCount: 4) { _ in }
        let (y, grads) = valueWithGradients(at: [x]) { xs in (plain(xs[0], training: true) * xs[0]).sum() }
        let (ySynced, gradsSynced) = BatchShard.$current.withValue(shard) {
            valueWithGradients(at: [x]) { xs in (synced(xs[0], training: true) * xs[0]).sum() }
        }
        assertClose(ySynced, y, atol: 1e-4)
        assertClose(gradsSynced[0], grads[0], atol: 1e-4)
        assertClose(synced.movingMean.value, plain.movingMean.value, atol: 1e-6)
        assertClose(synced.movingVariance.value, plain.movingVariance.value, atol: 1e-6)
    }
}
