import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite("Dataset pipeline")
struct DatasetTests {
    let x = Tensor(shape: [10, 2], scalars: (0..<20).map(Float.init))
    let y = Tensor(shape: [10], scalars: (0..<10).map(Int32.init))

    private func labels(_ batches: some Sequence<DataBatch>) -> [[Int32]] {
        batches.map { $0.y!.toArray(of: Int32.self) }
    }

    @Test("batches keep order and the last partial batch (Keras's ⌈N/bs⌉ steps)")
    func batching() throws {
        let ds = try Dataset(x, y).batched(4)
        #expect(ds.count == 3)
        #expect(labels(ds) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        let first = Array(ds)[0]
        #expect(first.x.shape == [4, 2] && first.x.scalars == (0..<8).map(Float.init))
        #expect(try Dataset(x, y).batched(4, dropRemainder: true).count == 2)
    }

    @Test("shuffling is a seeded permutation, new each epoch, same for the same seed")
    func shuffling() throws {
        let ds = try Dataset(x, y).shuffled(seed: 3).batched(10)
        let e0 = labels(ds.elements(epoch: 0))[0], e1 = labels(ds.elements(epoch: 1))[0]
        #expect(e0.sorted() == (0..<10).map(Int32.init))
        #expect(e0 != (0..<10).map(Int32.init))
        #expect(e0 != e1)
        #expect(labels(try Dataset(x, y).shuffled(seed: 3).batched(10).elements(epoch: 1))[0] == e1)
        #expect(labels(try Dataset(x, y).shuffled(seed: 4).batched(10))[0] != e0)
        // Rows stay paired: x row i holds 2i, 2i+1.
        let batch = Array(ds)[0]
        let xs = batch.x.scalars, ys = batch.y!.toArray(of: Int32.self)
        for (k, label) in ys.enumerated() { #expect(xs[2 * k] == Float(2 * label)) }
    }

    @Test("map runs on batches after batching, on samples before")
    func mapping() throws {
        let scaled = try Dataset(x, y).batched(5).map { b in
            var b = b
            b.inputs[0] = b.x * 2
            return b
        }
        #expect(Array(scaled)[1].x.scalars == (10..<20).map { Float($0 * 2) })
        let perSample = try Dataset(x, y).map { s in
            #expect(s.x.shape == [2] && s.y!.shape == [])
            var s = s
            s.targets[0] = s.y! + 100
            return s
        }.batched(3)
        #expect(labels(perSample) == [[100, 101, 102], [103, 104, 105], [106, 107, 108], [109]])
        #expect(Array(perSample)[0].x.shape == [3, 2])
    }

    @Test("repeat reshuffles each repetition")
    func repeating() throws {
        let ds = try Dataset(x, y).shuffled(seed: 1).batched(10).repeated(3)
        let all = labels(ds)
        #expect(all.count == 3 && ds.count == 3)
        #expect(all.allSatisfy { $0.sorted() == (0..<10).map(Int32.init) })
        #expect(all[0] != all[1] || all[1] != all[2])
        #expect(try Dataset(x, y).batched(4).repeated(2).count == 6)
    }

    @Test("multiple inputs, targets and sample weights travel together")
    func multiInput() throws {
        let w = Tensor(shape: [10], scalars: (0..<10).map { Float($0) / 10 })
        let ds = try Dataset(inputs: [x, x * -1], targets: [y, y * 2], sampleWeight: w).shuffled(seed: 9).batched(4)
        for b in ds {
            let ys = b.targets[0].toArray(of: Int32.self)
            #expect(b.targets[1].toArray(of: Int32.self) == ys.map { $0 * 2 })
            #expect(b.sampleWeight!.scalars == ys.map { Float($0) / 10 })
            #expect(b.inputs[1].scalars == b.inputs[0].scalars.map { -$0 })
        }
    }

    @Test("mismatched sample counts are thrown errors naming the array")
    func mismatch() {
        #expect(throws: KerasError.self) { try Dataset(x, Tensor(shape: [9], scalars: [Int32](repeating: 0, count: 9))) }
        do {
            _ = try Dataset(inputs: [x], targets: [y], sampleWeight: Tensor.ones([3]))
            Issue.record("expected an error")
        } catch let e as KerasError {
            #expect(e.description.contains("sampleWeight") && e.description.contains("10 samples"))
        } catch { Issue.record("\(error)") }
        #expect(throws: KerasError.self) { try Dataset(inputs: []) }
    }

    @Test("the bundled digits through the pipeline: 45 batches of 32, pixels scaled")
    func digitsPipeline() throws {
        let ((xTrain, yTrain), _) = try Datasets.digits(dtype: .float32)
        let ds = try Dataset(xTrain / 255, yTrain).shuffled(seed: 0).batched(32)
        #expect(ds.count == 45)
        var seen = 0
        for batch in ds.elements(epoch: 2) {
            #expect(batch.x.shape.dropFirst() == [8, 8])
            #expect(batch.x.max().item <= 1)
            seen += batch.count
        }
        #expect(seen == 1437)
    }
}
