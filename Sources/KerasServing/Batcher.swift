import Foundation
import Keras

/// The outputs of one batch and the rows of it that belong to one request.
struct BatchResult: Sendable {
    var outputs: [Tensor]
    var rows: Range<Int>
}

/// Dynamic batching (TF Serving's batching parameters): concurrent requests for one model are
/// queued, gathered into one batch of at most `maxBatchSize` rows — waiting at most
/// `maxWaitMicros` after the first for more to arrive — run through the model in one call on
/// a dedicated thread, and each request gets its rows back.
///
/// Requests are batched together only when their rows have the same shapes (models with
/// variable-size axes take any). A request larger than `maxBatchSize` runs as a batch of its own.
///
/// ```swift
/// let batcher = Batcher(maxBatchSize: 64, maxWaitMicros: 500) { try model.predictOnBatch($0).tensors }
/// let result = try await batcher.submit(request.inputs, dtypes: [.float32])
/// batcher.stop()
/// ```
final class Batcher: @unchecked Sendable {
    typealias Run = @Sendable ([Tensor]) throws -> [Tensor]

    let maxBatchSize: Int
    let maxWaitMicros: Int
    /// Queued rows beyond which new requests are refused (503), so overload cannot exhaust memory.
    let maxQueuedRows: Int
    private let run: Run
    private let dtypes: [DType]
    private let onBatch: @Sendable (Int) -> Void

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queuedRows = 0
    private var stopped = false
    private var finished = false

    private struct Job {
        let inputs: [InputArray]
        let rows: Int
        let ticket: Ticket
        let enqueued: DispatchTime
        func fits(with other: Job) -> Bool {
            zip(inputs, other.inputs).allSatisfy { $0.rowShape == $1.rowShape }
        }
    }

    init(maxBatchSize: Int, maxWaitMicros: Int, maxQueuedRows: Int? = nil, dtypes: [DType],
         onBatch: @escaping @Sendable (Int) -> Void = { _ in }, run: @escaping Run) {
        self.maxBatchSize = max(1, maxBatchSize)
        self.maxWaitMicros = max(0, maxWaitMicros)
        self.maxQueuedRows = maxQueuedRows ?? max(1, maxBatchSize) * 256
        self.dtypes = dtypes
        self.onBatch = onBatch
        self.run = run
        let thread = Thread { [self] in workLoop() }
        thread.name = "keras-batcher"
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Queues a request's inputs and waits for its rows of the outputs. Cancelling the waiting
    /// task answers at once with `CancellationError` (the batch it joined still runs).
    func submit(_ inputs: [InputArray]) async throws -> BatchResult {
        let rows = inputs.first?.shape.first ?? 0
        let ticket = Ticket()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                ticket.attach(continuation)
                condition.lock()
                if stopped {
                    condition.unlock()
                    ticket.finish(.failure(ServingError(.unavailable, "The model is being unloaded; retry")))
                    return
                }
                if queuedRows + rows > maxQueuedRows && !queue.isEmpty {
                    condition.unlock()
                    ticket.finish(.failure(ServingError(.unavailable, "The batching queue is full (\(queuedRows) rows waiting); retry later")))
                    return
                }
                queue.append(Job(inputs: inputs, rows: rows, ticket: ticket, enqueued: .now()))
                queuedRows += rows
                condition.signal()
                condition.unlock()
            }
        } onCancel: {
            ticket.finish(.failure(CancellationError()))
        }
    }

    /// Stops taking requests; queued ones still run. Returns at once.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the worker thread has run everything queued before ``stop()``.
    func waitUntilFinished() async {
        while !isFinished() {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private func isFinished() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return finished
    }

    private func workLoop() {
        while let jobs = nextBatch() {
            execute(jobs)
        }
        condition.lock()
        finished = true
        condition.unlock()
    }

    /// The next group of requests to run together, or `nil` once stopped with an empty queue.
    private func nextBatch() -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !stopped { condition.wait() }
        guard let first = queue.first else { return nil }
        if maxWaitMicros > 0 && !stopped {
            let deadline = Date(timeIntervalSinceNow: Double(maxWaitMicros) / 1e6
                                - Double(DispatchTime.now().uptimeNanoseconds &- first.enqueued.uptimeNanoseconds) / 1e9)
            while !stopped && matchingRows(first) < maxBatchSize && Date() < deadline {
                _ = condition.wait(until: deadline)
            }
        }
        var taken: [Job] = [first]
        var rows = first.rows
        var kept: [Job] = []
        for job in queue.dropFirst() {
            if rows + job.rows <= maxBatchSize && job.fits(with: first) {
                taken.append(job)
                rows += job.rows
            } else {
                kept.append(job)
            }
        }
        queue = kept
        queuedRows -= rows
        return taken
    }

    private func matchingRows(_ first: Job) -> Int {
        var rows = 0
        for job in queue where job.fits(with: first) { rows += job.rows }
        return rows
    }

    /// Runs one batch and hands each request its rows.
    private func execute(_ candidates: [Job]) {
        let jobs = candidates.filter { !$0.ticket.isFinished }
        guard !jobs.isEmpty else { return }
        let total = jobs.reduce(0) { $0 + $1.rows }
        onBatch(total)
        let result = Result { () throws -> [Tensor] in
            let tensors = dtypes.indices.map { i in batchTensor(jobs.map { $0.inputs[i] }, rows: total, dtype: dtypes[i]) }
            return try run(tensors)
        }
        switch result {
        case .success(let outputs):
            var start = 0
            for job in jobs {
                job.ticket.finish(.success(BatchResult(outputs: outputs, rows: start..<start + job.rows)))
                start += job.rows
            }
        case .failure(let error):
            for job in jobs { job.ticket.finish(.failure(error)) }
        }
    }

    /// One tensor of `dtype` holding the rows of every piece, in order.
    private func batchTensor(_ pieces: [InputArray], rows: Int, dtype: DType) -> Tensor {
        let shape = [rows] + Array(pieces[0].rowShape)
        func fill<T: TensorScalar>(_ type: T.Type, _ convert: (Double) -> T) -> Tensor {
            Tensor(shape: shape, dtype: dtype) { (out: UnsafeMutableBufferPointer<T>) in
                var k = 0
                for piece in pieces {
                    for v in piece.values { out[k] = convert(v); k += 1 }
                }
            }
        }
        switch dtype {
        case .float32: return fill(Float.self) { Float($0) }
        case .float64: return fill(Double.self) { $0 }
        case .int32: return fill(Int32.self) { Int32($0) }
        case .int64: return fill(Int64.self) { Int64($0) }
        case .bool: return fill(Bool.self) { $0 != 0 }
        }
    }
}

/// The hand-off between a waiting request and the batch worker: finished exactly once, by the
/// worker's result or by cancellation, whichever comes first.
private final class Ticket: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<BatchResult, any Error>?
    private var early: Result<BatchResult, any Error>?
    private var done = false

    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done || early != nil
    }

    func attach(_ continuation: CheckedContinuation<BatchResult, any Error>) {
        lock.lock()
        if let early {
            done = true
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func finish(_ result: Result<BatchResult, any Error>) {
        lock.lock()
        if done || early != nil { lock.unlock(); return }
        guard let continuation else {
            early = result
            lock.unlock()
            return
        }
        self.continuation = nil
        done = true
        lock.unlock()
        continuation.resume(with: result)
    }
}
