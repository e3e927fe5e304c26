import KerasCore

extension Model: TrainingTarget {
    /// The compiled optimizer's learning rate (what ReduceLROnPlateau and LearningRateScheduler
    /// adjust); `nil` before `compile`.
    public var learningRate: Double? {
        get { compiledState?.optimizer.learningRate }
        set { if let newValue { compiledState?.optimizer.learningRate = newValue } }
    }
}
