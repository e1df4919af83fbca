#!/usr/bin/env bash
# Build the training image for SageMaker and push it to Amazon ECR (or another registry).
# Run `scripts/build_and_push.sh --help` for the options. Re-running it is safe.
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The project's answers (checked when the project was generated).
DEFAULT_REGION={{ cookiecutter.aws_region }}
DEFAULT_REPOSITORY={{ cookiecutter.ecr_repository }}
# The files the image is built from: a commit tag is honest only if they are committed.
BUILD_INPUTS=(Dockerfile .dockerignore train.lock)

usage() {
    cat <<EOF
Usage: scripts/build_and_push.sh [options]

Build the training image for linux/amd64, tag it with the git commit and 'latest', and push
both tags to Amazon ECR, creating the repository if it is missing (scan on push, encryption on).

Options:
  --region REGION        AWS region (default: \$AWS_REGION, \$AWS_DEFAULT_REGION, else $DEFAULT_REGION)
  --repository NAME      repository name (default: \$ECR_REPOSITORY, else
                         $DEFAULT_REPOSITORY)
  --tag TAG              image tag (default: \$IMAGE_TAG, else the git short commit,
                         with '-dirty' if the build inputs have uncommitted changes)
  --registry HOST[:PORT] push to this registry instead of ECR, with no AWS calls and no login
                         (default: \$REGISTRY, else the account's ECR registry, found with STS)
  --platform PLATFORM    target platform (default: linux/amd64, what SageMaker instances run)
  --build-arg NAME=VALUE passed to the build, e.g. BASE_IMAGE=<a mirror of the base image>
  --build-only           build and tag the image; push nothing, call no AWS API
  --dry-run              print the commands instead of running them
  -h, --help             show this help

Environment: ENGINE names the container CLI (default: docker; podman works too).
EOF
}

fail() {
    echo "build_and_push.sh: $*" >&2
    exit 1
}

usage_error() {
    echo "build_and_push.sh: $*" >&2
    echo "usage: scripts/build_and_push.sh [--region R] [--repository NAME] [--tag TAG]" \
        "[--registry HOST] [--platform P] [--build-arg N=V] [--build-only] [--dry-run] [--help]" >&2
    exit 2
}

# Run a command, or only show it in a dry run. Never used for commands that carry a secret.
run() {
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    if [[ $dry_run == false ]]; then
        "$@"
    fi
}

parse_args() {
    region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$DEFAULT_REGION}}
    repository=${ECR_REPOSITORY:-$DEFAULT_REPOSITORY}
    tag=${IMAGE_TAG:-}
    registry=${REGISTRY:-}
    platform=linux/amd64
    build_args=()
    build_only=false
    dry_run=false
    while [[ $# -gt 0 ]]; do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --build-only) build_only=true ;;
            --dry-run) dry_run=true ;;
            --region | --repository | --tag | --registry | --platform | --build-arg)
                [[ $# -ge 2 && -n $2 && $2 != -* ]] || usage_error "$1 needs a value"
                case $1 in
                    --region) region=$2 ;;
                    --repository) repository=$2 ;;
                    --tag) tag=$2 ;;
                    --registry) registry=$2 ;;
                    --platform) platform=$2 ;;
                    --build-arg)
                        [[ $2 == ?*=* ]] || usage_error "--build-arg needs NAME=VALUE, got $2"
                        build_args+=(--build-arg "$2") ;;
                esac
                shift ;;
            *) usage_error "unknown argument: $1" ;;
        esac
        shift
    done
    [[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || usage_error "not an AWS region: $region"
    [[ $repository =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] \
        || usage_error "not a repository name (lower case, digits, . _ - /): $repository"
    [[ -z $tag || $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || usage_error "not an image tag: $tag"
}

# A dry run runs none of the tools, so it works without them.
require() {
    [[ $dry_run == true ]] || command -v "$1" >/dev/null 2>&1 || fail "$1 not found: $2"
}

# The git short commit, marked -dirty when the files the image is built from have changed.
commit_tag() {
    local commit
    commit=$(git -C "$PROJECT_DIR" rev-parse --short HEAD 2>/dev/null) \
        || fail "no git commit to tag the image with: commit first, or pass --tag"
    if [[ -n $(git -C "$PROJECT_DIR" status --porcelain -- "${BUILD_INPUTS[@]}") ]]; then
        commit+=-dirty
    fi
    echo "$commit"
}

ecr_registry() {
    local account domain=amazonaws.com
    [[ $region == cn-* ]] && domain=amazonaws.com.cn
    if [[ $dry_run == true ]]; then
        account=ACCOUNT_ID
    else
        account=$(aws sts get-caller-identity --query Account --output text) \
            || fail "cannot find the AWS account: check your credentials (aws sts get-caller-identity)"
    fi
    echo "$account.dkr.ecr.$region.$domain"
}

ensure_ecr_repository() {
    if [[ $dry_run == true ]]; then
        echo "# only if the ECR repository $repository is missing:"
    elif aws ecr describe-repositories --region "$region" --repository-names "$repository" \
        >/dev/null 2>&1; then
        echo "ECR repository $repository exists"
        return
    fi
    run aws ecr create-repository --region "$region" --repository-name "$repository" \
        --image-scanning-configuration scanOnPush=true \
        --encryption-configuration encryptionType=AES256 --output text --query repository.repositoryUri
}

# The password goes from one process to the other through a pipe, never through arguments.
ecr_login() {
    echo "+ aws ecr get-login-password --region $region | $engine login --username AWS --password-stdin $registry"
    if [[ $dry_run == false ]]; then
        aws ecr get-login-password --region "$region" \
            | "$engine" login --username AWS --password-stdin "$registry"
    fi
}

say_done() {
    if [[ $dry_run == true ]]; then
        echo "Dry run: nothing was built or pushed"
    else
        echo "$1"
    fi
}

main() {
    parse_args "$@"
    engine=${ENGINE:-docker}
    require "$engine" "install Docker, or set ENGINE to a compatible CLI such as podman"
    require git "needed to tag the image with the commit"
    [[ -n $tag ]] || tag=$(commit_tag)

    local use_ecr=false
    if [[ -z $registry && $build_only == false ]]; then
        use_ecr=true
        require aws "install the AWS CLI v2 to push to ECR, or pass --registry"
        registry=$(ecr_registry)
    fi
    local image=${registry:+$registry/}$repository

    # (The ${a[@]+...} form keeps an empty array safe under `set -u` in macOS's bash 3.2.)
    run "$engine" build --platform "$platform" ${build_args[@]+"${build_args[@]}"} \
        --tag "$image:$tag" --tag "$image:latest" "$PROJECT_DIR"
    if [[ $build_only == true ]]; then
        say_done "Built $image:$tag"
        return
    fi
    if [[ $use_ecr == true ]]; then
        ensure_ecr_repository
        ecr_login
    fi
    run "$engine" push "$image:$tag"
    run "$engine" push "$image:latest"
    say_done "Pushed $image:$tag"
}

main "$@"
