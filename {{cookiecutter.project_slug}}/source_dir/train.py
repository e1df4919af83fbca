"""Train a linear model on CSV channels, streaming, as a SageMaker script-mode entry point.

The sagemaker-training toolkit runs this as `python train.py --epochs 5 ...` with the
job's hyperparameters and the SM_* environment (see utils.job_paths). It also runs as
`python source_dir/train.py` from the project folder, on data/ (see `make data`): such a
direct run deletes its earlier checkpoints (in .local-run/direct) and starts afresh, so
an edit to the code always shows.

The story: read the hyperparameters; survey the training data once (feature scaling,
classes); then per epoch stream the batches through partial_fit, combine across hosts,
evaluate, log `name=value` metrics and checkpoint; finally save the model and metrics. Each
CSV file is parsed once per job: later passes read a binary copy of its rows (row_cache.py).
A restarted job (a spot interruption) resumes from the newest checkpoint. The training
loss scores each batch before the model learns from it (progressive validation), so it
is not flattered by data the model has just fitted.

Under MPI (see distributed.py) every process does the same on its share of the data: the
survey, the epoch's loss and the validation metrics are pooled over all the processes, the
models are averaged after every epoch, and the first process alone writes anything.
"""

import numpy as np
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import checkpoints
import distributed
import row_cache
import utils
from hyperparameters import parse_args

# More distinct labels than this in a classification task is almost surely regression data.
MAX_CLASSES = 100
# The hyperparameters a checkpoint must share with the run that resumes it.
RESUME_SETTINGS = ("task", "learning_rate", "alpha", "batch_size", "seed")


def new_model(args):
    """A linear model that learns one batch at a time; the seed makes runs repeatable."""
    common = dict(
        alpha=args.alpha,
        learning_rate="invscaling",
        eta0=args.learning_rate,
        random_state=args.seed,
    )
    if args.task == "classification":
        return SGDClassifier(loss="log_loss", **common)
    return SGDRegressor(loss="squared_error", **common)


def batches(share, args, cache, scaler=None, classes=None):
    """(features, labels) batches of this process's share of a channel, each file parsed once
    per job (cache keeps the parsed rows). Given the fitted scaler, every row must be as wide
    as the data it was fitted on; given classes, every label must be one of them (or sklearn
    fails with a traceback)."""
    width = None if scaler is None else scaler.n_features_in_ + 1  # the label, then the features
    part, parts = share.part, share.parts
    return utils.read_batches(share.files, args.batch_size, part, parts, width, classes, cache)


def survey(share, args, group, cache):
    """One pass over the training data: fit the feature scaler and, for classification,
    find the classes (partial_fit must know them all up front)."""
    scaler = StandardScaler()
    classes, rows = set(), 0
    for features, labels in batches(share, args, cache):
        scaler.partial_fit(features)
        rows += len(labels)
        if args.task == "classification":
            classes.update(np.unique(labels).tolist())
            check_class_labels(classes)
    if group.size > 1:
        scaler, classes = pooled_survey(group, scaler, classes, rows)
    if args.task == "classification" and len(classes) < 2:
        raise utils.UserError(
            f"train channel: every label is {min(classes):g}; classification needs two or more"
        )
    return scaler, np.array(sorted(classes))


def check_class_labels(classes):
    fractional = sorted(label for label in classes if label != int(label))
    if fractional:
        raise utils.UserError(
            f"train channel: label {fractional[0]:g} is not a whole number: is this regression"
            " data? (set the task hyperparameter to regression)"
        )
    if len(classes) > MAX_CLASSES:
        raise utils.UserError(
            f"train channel: more than {MAX_CLASSES} distinct labels; "
            "is this regression data? (set the task hyperparameter to regression)"
        )


def pooled_survey(group, scaler, classes, rows):
    """The scaler and the classes of all the processes' shares together; the variance is
    pooled from each share's mean and variance (Chan, Golub and LeVeque)."""
    empty = int(group.sum([rows == 0])[0])
    if empty:
        raise utils.UserError(
            f"train channel: {empty} of {group.size} processes got no rows; "
            "use fewer processes per host or more data"
        )
    total = group.sum([rows])[0]
    mean = group.sum(scaler.mean_ * rows) / total
    var = group.sum(rows * (scaler.var_ + (scaler.mean_ - mean) ** 2)) / total
    scaler.mean_, scaler.var_, scaler.n_samples_seen_ = mean, var, int(total)
    constant = var <= np.finfo(np.float64).eps * np.maximum(mean**2, 1.0)
    scaler.scale_ = np.where(constant, 1.0, np.sqrt(var))  # as StandardScaler leaves them
    classes = group.union(classes)
    check_class_labels(classes)
    return scaler, classes


def row_losses(model, features, labels):
    """Log loss per row for a classifier, squared error per row for a regressor."""
    if isinstance(model, SGDClassifier):
        probabilities = model.predict_proba(features)
        true_class = np.searchsorted(model.classes_, labels)
        picked = probabilities[np.arange(len(labels)), true_class]
        return -np.log(np.clip(picked, 1e-15, 1.0))
    return (model.predict(features) - labels) ** 2


def losses_before_learning(model, features, labels, classes):
    """Each row's loss under the model as it is before learning from the row's batch.
    An untrained model is all zeros: it gives every class the same probability, or
    predicts 0."""
    if hasattr(model, "coef_"):
        return row_losses(model, features, labels)
    if isinstance(model, SGDClassifier):
        return np.full(len(labels), np.log(len(classes)))
    return labels**2


def train_one_epoch(model, scaler, classes, share, args, cache):
    """Stream every batch through partial_fit; return the summed loss (each batch scored
    before the model learns from it) and the row count."""
    total_loss, rows = 0.0, 0
    known_labels = classes if args.task == "classification" else None
    for features, labels in batches(share, args, cache, scaler, known_labels):
        scaled = scaler.transform(features)
        total_loss += losses_before_learning(model, scaled, labels, classes).sum()
        try:
            if args.task == "classification":
                model.partial_fit(scaled, labels, classes=classes)
            else:
                model.partial_fit(scaled, labels)
        except ValueError as error:  # scikit-learn's "Floating-point under-/overflow occurred"
            if "overflow" not in str(error):
                raise
            raise utils.UserError(utils.diverged("the model's weights overflowed")) from None
        rows += len(labels)
    return total_loss, rows


def evaluate(model, scaler, share, args, group, cache):
    """Loss and accuracy (classification) or RMSE (regression) on the validation data,
    summed over every process's share."""
    total_loss, correct, rows = 0.0, 0, 0
    known_labels = model.classes_ if args.task == "classification" else None
    for features, labels in batches(share, args, cache, scaler, known_labels):
        scaled = scaler.transform(features)
        losses = row_losses(model, scaled, labels)
        total_loss += losses.sum()
        if args.task == "classification":
            correct += (model.predict(scaled) == labels).sum()
        rows += len(labels)
    total_loss, correct, rows = group.sum([total_loss, correct, rows])
    if args.task == "classification":
        return {"validation:loss": total_loss / rows, "validation:accuracy": correct / rows}
    return {"validation:loss": total_loss / rows, "validation:rmse": np.sqrt(total_loss / rows)}


def average_models(group, model, rows):
    """Give every process the mean of the processes' models, each weighted by the rows it
    learned from this epoch. The linear model is its coefficients and intercept, plus the
    update count that sets its learning rate; sklearn keeps aliases of them, so they are
    overwritten in place. With one process there is nothing to average."""
    if group.size == 1:
        return model
    update_count = np.array([model.t_])
    coef, intercept, update_count = distributed.weighted_mean(
        group, [model.coef_, model.intercept_, update_count], rows
    )
    model.coef_[...], model.intercept_[...], model.t_ = coef, intercept, float(update_count[0])
    return model


def resume_settings(args):
    return {name: getattr(args, name) for name in RESUME_SETTINGS}


def fresh_state(train_share, args, group, cache):
    """What a checkpoint holds, before the first epoch."""
    scaler, classes = survey(train_share, args, group, cache)
    return {
        "epoch": 0,
        "model": new_model(args),
        "scaler": scaler,
        "classes": classes,
        "settings": resume_settings(args),
        "metrics": {},
    }


def resumed_state(paths, args):
    """The newest checkpoint's state, or None; refuses one made with other settings or
    past the last epoch. A direct run deletes its checkpoints instead: it starts afresh."""
    if paths.direct:
        if checkpoints.delete_checkpoints(paths.checkpoints):
            utils.log(f"Starting afresh: deleted the checkpoints in {paths.checkpoints}")
        return None
    state = checkpoints.load_latest_checkpoint(paths.checkpoints)
    if state is None:
        return None
    wanted = resume_settings(args)
    differing = [name for name, value in wanted.items() if state["settings"][name] != value]
    if differing:
        raise utils.UserError(
            f"checkpoint in {paths.checkpoints} was made with other {', '.join(differing)}; "
            "restore those hyperparameters or delete the checkpoint folder"
        )
    if state["epoch"] > args.epochs:
        raise utils.UserError(
            f"checkpoint in {paths.checkpoints} is from epoch {state['epoch']}, past the "
            f"{args.epochs} epochs asked for; raise epochs or delete the checkpoint folder"
        )
    utils.log(f"Resuming after epoch {state['epoch']} from {paths.checkpoints}")
    return state


def data_shares(paths, group):
    """This process's share of the training files, and of the validation files (that
    channel is optional)."""
    train_files = utils.list_data_files("train", paths.train)
    train_share = distributed.share_of(group, train_files, "train" in paths.sharded_channels)
    if paths.validation is None:
        return train_share, None
    validation_files = utils.list_data_files("validation", paths.validation)
    sharded = "validation" in paths.sharded_channels
    return train_share, distributed.share_of(group, validation_files, sharded)


def train(args, paths, group, cache):
    train_share, validation_share = data_shares(paths, group)
    validation_count = len(validation_share.files) if validation_share else 0
    place = distributed.where(paths, group)
    utils.log(
        f"{place}: {len(train_share.files)} training and {validation_count} validation files;"
        f" {args}"
    )
    writes = group.rank == 0  # the other processes hold the same model: one copy is enough
    state = distributed.on_first_process(group, lambda: resumed_state(paths, args))
    state = state or fresh_state(train_share, args, group, cache)
    model, scaler = state["model"], state["scaler"]
    for epoch in range(state["epoch"] + 1, args.epochs + 1):
        loss, rows = train_one_epoch(model, scaler, state["classes"], train_share, args, cache)
        model = average_models(group, model, rows)
        total_loss, total_rows = group.sum([loss, rows])
        metrics = {"train:loss": total_loss / total_rows}
        if validation_share:
            metrics |= evaluate(model, scaler, validation_share, args, group, cache)
        utils.check_finite(metrics, epoch)
        state = {**state, "epoch": epoch, "model": model, "metrics": metrics}
        if writes:
            utils.log(f"epoch={epoch} {utils.format_metrics(metrics)}")
            checkpoints.save_checkpoint(paths.checkpoints, epoch, state)
    if writes and paths.is_leader:
        save_results(state, paths)


def save_results(state, paths):
    """The model as one scikit-learn pipeline (scaling, then the linear model), and the
    last epoch's metrics."""
    pipeline = Pipeline([("scale", state["scaler"]), ("model", state["model"])])
    checkpoints.dump_atomically(pipeline, paths.model / "model.joblib")
    checkpoints.write_json_atomically(state["metrics"], paths.output_data / "metrics.json")
    utils.log(f"Saved the model to {paths.model} and the metrics to {paths.output_data}")


def main(argv=None):
    paths = utils.job_paths()
    group = distributed.current_group()
    try:
        with row_cache.scratch_cache(paths.scratch) as cache:
            train(parse_args(argv), paths, group, cache)
    except utils.UserError as error:
        utils.report_failure(paths.output, str(error))
        group.abort(1)  # under MPI, ends the other processes too: none waits for this one


if __name__ == "__main__":
    main()
