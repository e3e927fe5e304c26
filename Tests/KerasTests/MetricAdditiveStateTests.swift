import Keras
import KerasTestSupport
import Testing

/// ``Metric/additiveState``: the states of two halves of the data, summed, give the metric of
/// the whole data (what data-parallel training relies on to report global metrics).
@Suite struct MetricAdditiveStateTests {
    @Test(arguments: ["mean", "auc", "precision", "recall", "f1", "r2"])
    func summedStatesOfTwoHalvesGiveTheMetricOfTheWhole(kind: String) throws {
        func make() -> Metric {
            switch kind {
            case "mean": return Mean()
            case "auc": return AUC(numThresholds: 20)
            case "precision": return Precision(thresholds: [0.3, 0.6])
            case "recall": return Recall()
            case "f1": return F1Score(average: .macro)
            default: return R2Score()
            }
        }
        let yTrue = try toCategorical(Tensor([0, 2, 1, 1, 0, 2, 2, 1] as [Int32]), numClasses: 3)
        let yPred = Tensor.randomUniform([8, 3], seed: 9)
        let whole = make(), halves = [make(), make()]
        whole.updateState(yTrue: yTrue, yPred: yPred)
        for (i, m) in halves.enumerated() {
            m.updateState(yTrue: yTrue.slice(axis: 0, start: 4 * i, end: 4 * i + 4), yPred: yPred.slice(axis: 0, start: 4 * i, end: 4 * i + 4))
        }
        let states = try halves.map { try #require($0.additiveState) }
        let merged = make()
        merged.additiveState = zip(states[0], states[1]).map { $0 + $1 }
        assertClose(merged.result(), whole.result(), atol: 1e-6, kind)
        #expect(merged.additiveState?.count == whole.additiveState?.count)
    }
}
