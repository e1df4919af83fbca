"""The code behind launch.py and local_run.py, one module per job.

Imports point one way: the entry points use these modules; these use project, contract,
cli, sourcedir and egress; egress, the policy of what may leave the machine, uses nothing.
source_dir/ uses none of it: it travels to SageMaker alone.

    project           the template's answers and the project's paths (filled in when rendered)
    contract          what SageMaker and the sagemaker-training toolkit define (reserved names, ...)
    cli               command-line helpers and the exit codes both tools share
    settings          the project's [tool.launch] settings in pyproject.toml (metric definitions)
    egress            what may leave the machine: one policy for the code archive and data
    sourcedir         source_dir/ packed into a deterministic sourcedir.tar.gz
    run_requests      the typed requests the two command lines build
    launch_options    launch.py's command line
    channel_options   its data options: channels and their distributions
    tuning_options    its tuning options: the ranges to search, the objective, the limits
    hyperparameter_check  the entry point's own parser, asked about every job's hyperparameters
    mpi               launch.py's MPI options (only in projects rendered with include_mpi)
    preflight         a launch's code packed, data folders and metrics checked, before the SDK loads
    plan              where the code and data go in S3, decided before anything is sent
    upload            the boto3 side: credentials, the bucket, uploading the plan
    sdk               the SageMaker Python SDK's trainer and request (with sdk_session and
                      sdk_tuning, the only modules that import the SDK)
    sdk_session       the SDK's Session: a job's, a dry run's, its settings' mistakes in one line
    sdk_tuning        the SDK's hyperparameter tuner and its request
    launcher          a LaunchRequest carried out: pack, plan, upload, start, wait, report
    tuning            a tuning job started, followed and its best training job reported
    follow            a job followed until it ends: each change of progress, its log
    local_mode        a LaunchRequest run by the SDK's local mode here, read back as a verdict
    compose           Docker Compose and the Docker API that local mode runs the image with
    job_tree          the /opt/ml tree SageMaker mounts in a training container, built here
    toolkit_run       the toolkit's `train` run on such a tree, here
    container_run     the image's `train` run on it, mounted at /opt/ml as in a job
    verdict           a finished run read back from its tree: success, or why it failed
    learning_curve    the metrics a log reports, drawn (a local run's, or a SageMaker job's)
    progress          a long step's progress on one terminal line, silent in logs
    local_run_options local_run.py's command line
"""
