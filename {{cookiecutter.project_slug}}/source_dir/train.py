"""Train a linear model on CSV channels, streaming, as a SageMaker script-mode entry point.

The sagemaker-training toolkit runs this as `python train.py --epochs 5 ...` with the
job's hyperparameters and the SM_* environment (see utils.job_paths). It also runs as
`python source_dir/train.py` from the project folder, on data/ (see `make data`).

The story: read the hyperparameters; survey the training data once (feature scaling,
classes); then per epoch stream the batches through partial_fit, combine across hosts,
evaluate, log `name=value` metrics and checkpoint; finally save the model and metrics.
A restarted job (a spot interruption) resumes from the newest checkpoint.
"""

import argparse
import sys

import numpy as np
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import utils

TASKS = ("classification", "regression")
# More distinct labels than this in a classification task is almost surely regression data.
MAX_CLASSES = 100
# The hyperparameters a checkpoint must share with the run that resumes it.
RESUME_SETTINGS = ("task", "learning_rate", "alpha", "batch_size", "seed")


class OneLineParser(argparse.ArgumentParser):
    """Reports a bad hyperparameter as a UserError (one line) instead of usage text."""

    def error(self, message):
        raise utils.UserError(f"hyperparameters: {message}")


def at_least(kind, minimum, inclusive=True):
    """An argparse type: a number of the given kind, checked against its lower bound."""

    def parse(text):
        value = kind(text)
        if value < minimum or (value == minimum and not inclusive):
            bound = "at least" if inclusive else "greater than"
            raise argparse.ArgumentTypeError(f"must be {bound} {minimum}, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def parse_args(argv):
    parser = OneLineParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--task", choices=TASKS, default=TASKS[0])
    parser.add_argument("--epochs", type=at_least(int, 1), default=10)
    parser.add_argument("--batch-size", type=at_least(int, 1), default=1024)
    parser.add_argument("--learning-rate", type=at_least(float, 0, inclusive=False), default=0.1)
    parser.add_argument("--alpha", type=at_least(float, 0), default=0.0001, help="L2 penalty")
    parser.add_argument("--seed", type=at_least(int, 0), default=42)
    return parser.parse_args(argv)


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


def survey(files, args):
    """One pass over the training data: fit the feature scaler and, for classification,
    find the classes (partial_fit must know them all up front)."""
    scaler = StandardScaler()
    classes = set()
    for features, labels in utils.read_batches(files, args.batch_size):
        scaler.partial_fit(features)
        if args.task == "classification":
            classes.update(np.unique(labels).tolist())
            if len(classes) > MAX_CLASSES:
                raise utils.UserError(
                    f"train channel: more than {MAX_CLASSES} distinct labels; "
                    "is this regression data? (set the task hyperparameter to regression)"
                )
    return scaler, np.array(sorted(classes))


def row_losses(model, features, labels):
    """Log loss per row for a classifier, squared error per row for a regressor."""
    if isinstance(model, SGDClassifier):
        probabilities = model.predict_proba(features)
        true_class = np.searchsorted(model.classes_, labels)
        picked = probabilities[np.arange(len(labels)), true_class]
        return -np.log(np.clip(picked, 1e-15, 1.0))
    return (model.predict(features) - labels) ** 2


def train_one_epoch(model, scaler, classes, files, args):
    """Stream every batch through partial_fit; return the mean loss over the epoch."""
    total_loss, rows = 0.0, 0
    for features, labels in utils.read_batches(files, args.batch_size):
        scaled = scaler.transform(features)
        if args.task == "classification":
            model.partial_fit(scaled, labels, classes=classes)
        else:
            model.partial_fit(scaled, labels)
        total_loss += row_losses(model, scaled, labels).sum()
        rows += len(labels)
    return {"train:loss": total_loss / rows}


def evaluate(model, scaler, files, args):
    """Loss and accuracy (classification) or RMSE (regression) on the validation data."""
    total_loss, correct, rows = 0.0, 0, 0
    for features, labels in utils.read_batches(files, args.batch_size):
        scaled = scaler.transform(features)
        if args.task == "classification" and not np.isin(labels, model.classes_).all():
            raise utils.UserError("validation channel: a label never seen in the training data")
        losses = row_losses(model, scaled, labels)
        total_loss += losses.sum()
        if args.task == "classification":
            correct += (model.predict(scaled) == labels).sum()
        rows += len(labels)
    if args.task == "classification":
        return {"validation:loss": total_loss / rows, "validation:accuracy": correct / rows}
    return {"validation:loss": total_loss / rows, "validation:rmse": np.sqrt(total_loss / rows)}


def combine(model, paths):
    """Where the hosts would pool what they learned (e.g. average coefficients over MPI
    ranks). With one process, or hosts that each learn alone, it is the identity."""
    return model


def resume_settings(args):
    return {name: getattr(args, name) for name in RESUME_SETTINGS}


def fresh_state(train_files, args):
    """What a checkpoint holds, before the first epoch."""
    scaler, classes = survey(train_files, args)
    return {
        "epoch": 0,
        "model": new_model(args),
        "scaler": scaler,
        "classes": classes,
        "settings": resume_settings(args),
        "metrics": {},
    }


def resumed_state(paths, args):
    """The newest checkpoint's state, or None; refuses one made with other settings."""
    state = utils.load_latest_checkpoint(paths.checkpoints)
    if state is None:
        return None
    wanted = resume_settings(args)
    differing = [name for name, value in wanted.items() if state["settings"][name] != value]
    if differing:
        raise utils.UserError(
            f"checkpoint in {paths.checkpoints} was made with other {', '.join(differing)}; "
            "restore those hyperparameters or delete the checkpoint folder"
        )
    utils.log(f"Resuming after epoch {state['epoch']} from {paths.checkpoints}")
    return state


def data_files(paths):
    """The training files, and the validation files (that channel is optional)."""
    train_files = utils.list_data_files("train", paths.train)
    if paths.validation is None:
        return train_files, []
    return train_files, utils.list_data_files("validation", paths.validation)


def train(args, paths):
    train_files, validation_files = data_files(paths)
    utils.log(
        f"Host {paths.current_host} ({paths.hosts.index(paths.current_host) + 1} of "
        f"{len(paths.hosts)}): {len(train_files)} training and {len(validation_files)} "
        f"validation files; {args}"
    )
    state = resumed_state(paths, args) or fresh_state(train_files, args)
    model, scaler = state["model"], state["scaler"]
    for epoch in range(state["epoch"] + 1, args.epochs + 1):
        metrics = train_one_epoch(model, scaler, state["classes"], train_files, args)
        model = combine(model, paths)
        if validation_files:
            metrics |= evaluate(model, scaler, validation_files, args)
        utils.log(f"epoch={epoch} {utils.format_metrics(metrics)}")
        state = {**state, "epoch": epoch, "model": model, "metrics": metrics}
        utils.save_checkpoint(paths.checkpoints, epoch, state)
    if paths.is_leader:
        save_results(state, paths)


def save_results(state, paths):
    """The model as one scikit-learn pipeline (scaling, then the linear model), and the
    last epoch's metrics."""
    pipeline = Pipeline([("scale", state["scaler"]), ("model", state["model"])])
    utils.dump_atomically(pipeline, paths.model / "model.joblib")
    utils.write_json_atomically(state["metrics"], paths.output_data / "metrics.json")
    utils.log(f"Saved the model to {paths.model} and the metrics to {paths.output_data}")


def main(argv=None):
    paths = utils.job_paths()
    try:
        train(parse_args(argv), paths)
    except utils.UserError as error:
        utils.report_failure(paths.output, str(error))
        sys.exit(1)


if __name__ == "__main__":
    main()
