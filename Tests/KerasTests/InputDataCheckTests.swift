import Keras
import KerasTestSupport
import Testing

/// Outside data reaching an `Embedding` directly is checked before the model runs, so ids out of
/// the table throw from `fit`/`evaluate`/`predict`/`…OnBatch` instead of stopping the call.
@Suite struct InputDataCheckTests {
    func expectIdError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let error as KerasError {
            #expect("\(error)".contains("ids must be in [0, 10)"), "\(error)", sourceLocation: sourceLocation)
            #expect("\(error)".contains("received id"), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func sequentialEmbeddingIdsOutOfRangeThrow() throws {
        let model = Sequential([InputLayer(shape: [4], dtype: .int32), Embedding(inputDim: 10, outputDim: 3),
                                GlobalAveragePooling1D(), Dense(2)])
        try model.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true))
        let good = Tensor(shape: [2, 4], scalars: [Int32](arrayLiteral: 0, 1, 2, 9, 3, 4, 5, 6))
        let labels = Tensor(shape: [2], scalars: [Int32](arrayLiteral: 0, 1))
        for bad in [Int32(10), -1, Int32.max] {
            let x = Tensor(shape: [2, 4], scalars: [Int32](arrayLiteral: 0, 1, 2, 3, 4, 5, 6, bad))
            expectIdError { _ = try model.predict(x, verbose: 0) }
            expectIdError { _ = try model.predictOnBatch(x) }
            expectIdError { try model.fit(x, labels, epochs: 1, verbose: 0) }
            expectIdError { _ = try model.evaluate(x, labels, verbose: 0) }
        }
        #expect(try model.predict(good, verbose: 0).shape == [2, 2])
    }

    @Test func functionalEmbeddingIdsOutOfRangeThrow() throws {
        let ids = Input(shape: [3], name: "ids", dtype: .int64)
        let other = Input(shape: [2], name: "other")
        let pooled = GlobalAveragePooling1D()(Embedding(inputDim: 10, outputDim: 2)(ids))
        let model = try Model(inputs: [ids, other], outputs: Dense(1)(Concatenate()([pooled, other])))
        let x = Tensor(shape: [1, 3], scalars: [Int64](arrayLiteral: 1, 2, 12))
        expectIdError { _ = try model.predict([x, Tensor.ones([1, 2])], verbose: 0) }
        // Values of inputs that feed no Embedding are not id-checked.
        let fine = Tensor(shape: [1, 3], scalars: [Int64](arrayLiteral: 1, 2, 3))
        #expect(try model.predict([fine, Tensor.full([1, 2], 50)], verbose: 0).shape == [1, 1])
    }
}
