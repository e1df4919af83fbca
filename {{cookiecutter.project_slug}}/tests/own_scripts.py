"""Script-mode scripts of other shapes than the sample trainer, as data: the project's tests
(test_own_scripts.py) and the template's container tests run them unchanged, with the
channels `training` and `test`."""

# The AWS examples' shape: argparse with defaults from SM_*, channels `training` and `test`,
# pandas reading every CSV file, a scikit-learn model saved with joblib.
AWS_EXAMPLE = """
import argparse, glob, os

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression


def read(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.csv*")))
    return pd.concat(pd.read_csv(f) for f in files)


parser = argparse.ArgumentParser()
parser.add_argument("--max-iter", type=int, default=100)
parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAINING"])
parser.add_argument("--test", default=os.environ["SM_CHANNEL_TEST"])
args = parser.parse_args()
train, test = read(args.train), read(args.test)
model = LogisticRegression(max_iter=args.max_iter).fit(train.iloc[:, 1:], train.iloc[:, 0])
print(f"test:accuracy={model.score(test.iloc[:, 1:], test.iloc[:, 0]):.4f}")
joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
"""

# TensorFlow-era scripts name it --model_dir; they ignore hyperparameters they do not know.
MODEL_DIR_UNDERSCORE = """
import argparse, os, pathlib

parser = argparse.ArgumentParser()
parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR"))
args, unknown = parser.parse_known_args()
pathlib.Path(args.model_dir, "model.txt").write_text(f"unknown={unknown}")
"""

# The toolkit's own documentation: everything from sagemaker_training.environment.
TOOLKIT_ENVIRONMENT = """
import json, os

from sagemaker_training import environment

env = environment.Environment()
summary = {
    "channels": sorted(env.channel_input_dirs),
    "hyperparameters": env.hyperparameters,
    "hosts": env.hosts,
}
with open(os.path.join(env.model_dir, "summary.json"), "w") as out:
    json.dump(summary, out)
"""

SCRIPTS = {
    "aws_example.py": (AWS_EXAMPLE, "model.joblib"),
    "model_dir_underscore.py": (MODEL_DIR_UNDERSCORE, "model.txt"),
    "toolkit_environment.py": (TOOLKIT_ENVIRONMENT, "summary.json"),
}

# A script that records what reached it as its "model": its --epochs, each channel's files and
# whether AWS credentials were in its environment; the launch tests compare it with what they sent.
RECORDER = """
import argparse, json, os, pathlib

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int)
args, _ = parser.parse_known_args()
channels = json.loads(os.environ["SM_CHANNELS"])
seen = {c: sorted(os.listdir(os.environ[f"SM_CHANNEL_{c.upper()}"])) for c in channels}
model = pathlib.Path(os.environ["SM_MODEL_DIR"], "model.json")
credentials = "AWS_ACCESS_KEY_ID" in os.environ
model.write_text(json.dumps({"epochs": args.epochs, "files": seen, "credentials": credentials}))
"""

# A script that fails as scripts do: an exception, whose line the verdict must show.
FAILING = """
raise ValueError("the data has no label column")
"""
