import Keras
import KerasTestSupport
import Testing

/// Class labels are checked in full before training: every sample, whatever its value.
@Suite struct LabelValidationTests {
    func model() throws -> Model {
        let inputs = Input(shape: [4])
        let model = try Model(inputs: inputs, outputs: Dense(3)(inputs))
        try model.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        return model
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let error as KerasError { return error.description } catch { return "not a KerasError: \(error)" }
    }

    /// Labels 0…2 for 40 samples with one bad value at sample 29.
    func labels(bad: Double, dtype: DType = .float32) -> Tensor {
        var values = (0..<40).map { Double($0 % 3) }
        values[29] = bad
        return Tensor(shape: [40], doubles: values, dtype: dtype)
    }

    @Test(arguments: [3.0, -1.0, 1.5, 1e30, -1e30, 2.9999])
    func aBadLabelAnywhereIsAThrownErrorNamingTheSample(bad: Double) throws {
        let model = try model()
        let x = Tensor.ones([40, 4])
        let before = model.getWeights()
        let text = message { try model.fit(x, labels(bad: bad), verbose: 0) }
        #expect(text.contains("of sample 29 is out of range"), "\(text)")
        #expect(text.contains("3 classes"))
        #expect(model.getWeights().map(\.scalars) == before.map(\.scalars))   // nothing trained
        #expect(message { _ = try model.evaluate(x, labels(bad: bad), verbose: 0) }.contains("sample 29"))
    }

    @Test func integerLabelsAreCheckedToo() throws {
        let model = try model()
        let huge = Tensor(shape: [40], scalars: (0..<40).map { $0 == 39 ? Int64.max : Int64($0 % 3) })
        #expect(message { try model.fit(Tensor.ones([40, 4]), huge, verbose: 0) }.contains("sample 39"))
        let negative = Tensor(shape: [40], scalars: (0..<40).map { $0 == 5 ? Int32.min : Int32($0 % 3) })
        #expect(message { try model.trainOnBatch(Tensor.ones([40, 4]), negative) }.contains("sample 5"))
    }

    @Test func theIgnoredClassIsAllowed() throws {
        let inputs = Input(shape: [4])
        let model = try Model(inputs: inputs, outputs: Dense(3)(inputs))
        try model.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: -1))
        try model.fit(Tensor.ones([40, 4]), labels(bad: -1), verbose: 0)
        #expect(message { try model.fit(Tensor.ones([40, 4]), labels(bad: -2), verbose: 0) }.contains("ignored class -1"))
    }

    @Test func oneHotTargetsWithASparseLossAreRejected() throws {
        let model = try model()
        let oneHot = try toCategorical(labels(bad: 0), numClasses: 3)
        let text = message { try model.fit(Tensor.ones([40, 4]), oneHot, verbose: 0) }
        #expect(text.contains("expects integer class labels of shape (None,)"), "\(text)")
        #expect(text.contains("one-hot"))
    }

    @Test func datasetBatchesAreCheckedAsTheyCome() throws {
        let model = try model()
        let data = try Dataset(Tensor.ones([40, 4]), labels(bad: 7)).batched(8)
        let before = model.getWeights().map(\.scalars)
        let text = message { try model.fit(data, verbose: 0) }
        #expect(text.contains("label 7.0 of sample 29"), "\(text)")
        // The batches before the bad one trained; the error came before the bad batch's step.
        #expect(model.getWeights().map(\.scalars) != before)
        #expect(message { _ = try model.evaluate(data, verbose: 0) }.contains("sample 29"))
    }

    @Test func predictOnADatasetChecksItsInputs() throws {
        let model = try model()
        let data = try Dataset(Tensor.ones([10, 5])).batched(4)
        #expect(message { _ = try model.predictOutputs(data, verbose: 0) }.contains("expected shape (None, 4)"))
    }
}
