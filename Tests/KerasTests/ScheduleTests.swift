import Foundation
import Keras
import KerasTestSupport
import Testing

/// Learning-rate schedules against real Keras at chosen steps.
@Suite struct ScheduleTests {
    @Test func valuesMatchKeras() throws {
        let fixture = try loadFixture("training_schedules.json") as! [String: Any]
        for case let c as [String: Any] in fixture["cases"] as! [Any] {
            let config = ConfigValue.from(any: c["config"]!)
            let schedule = try deserializeLearningRateSchedule(.object(["class_name": .string(c["class_name"] as! String), "config": config]))
            let steps = (c["steps"] as! [Any]).map { ($0 as! NSNumber).intValue }
            let values = steps.map { schedule(step: $0) }
            assertClose(values, flattenNumbers(c["values"]!), rtol: 1e-6, atol: 1e-9, "\(c["class_name"]!) \(c["kwargs"]!)")
            #expect(ConfigValue.object(schedule.getConfig()) == config, "\(c["class_name"]!) config")
        }
    }

    @Test func optimizerUsesScheduleAtIteration() {
        let sgd = SGD(learningRate: ExponentialDecay(initialLearningRate: 1, decaySteps: 1, decayRate: 0.5))
        let v = Variable(Tensor([0.0]))
        for _ in 0..<3 { sgd.apply([Tensor([1.0])], to: [v]) }
        assertClose(v.value.doubles, [-1.75])
        #expect(sgd.variables.map(\.name) == ["iteration"])
        #expect(sgd.learningRate == 0.125)
    }
}
