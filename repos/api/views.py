"""`/api/v2/repos`: the caller's git repositories (api-contract 2.13, with DECISIONS 25-27).

Thin views: validate, call one service or selector with `request.user`, answer. Another user's
repository is "Repository not found" like a missing one; names and paths are checked in repos.paths.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import InvalidRequest
from core.api.schema import error_responses
from core.serializers import parse_query

from .. import selectors, services
from . import serializers as s

NAME = OpenApiParameter("name", str, OpenApiParameter.PATH, description="The repository's name")
SHA = OpenApiParameter("sha", str, OpenApiParameter.PATH,
                       description="A commit id, or a prefix of 4+ hex digits")
BRANCH = OpenApiParameter("branch", str, OpenApiParameter.PATH, description="A local branch name")
NOT_FOUND = "Repository not found (or not the caller's)"
FILE_NOT_FOUND = f"{NOT_FOUND}, or file not found"
BAD_INPUT = "Invalid request: a malformed name, path, ref or body"


def repo_errors(*statuses, **descriptions):
    """The errors of an endpoint on one repository: the caller's (401, 403), its name (400, 404), more."""
    return error_responses(400, 401, 403, 404, *statuses, **{"e400": BAD_INPUT, "e404": NOT_FOUND,
                                                             "e409": "Another change to the repository is in "
                                                                     "progress, or its state forbids this",
                                                             "e413": "The file is larger than the limit",
                                                             **descriptions})


def validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def success(message: str) -> Response:
    return Response({"success": True, "message": message})


class RepositoryView(APIView):
    """The repository endpoints' base: their bodies (listings, logs) are encoded by orjson."""



class RepositoryListView(RepositoryView):
    @extend_schema(summary="The caller's repositories, by name", operation_id="repos_list",
                   responses={200: s.RepositoryListResponse, **error_responses(401, 403)})
    def get(self, request):
        repositories = selectors.repository_list(user=request.user)
        return Response({"repositories": repositories, "count": len(repositories)})

    @extend_schema(summary="Create a repository (an initial commit when a template is given)",
                   operation_id="repos_create", request=s.RepositoryCreateInput,
                   responses={201: s.RepositoryResponse,
                              **error_responses(400, 401, 403, 409, e409="Repository already exists")})
    def post(self, request):
        body = validated(s.RepositoryCreateInput, request)
        repository = services.repository_create(
            user=request.user, name=body["name"], description=body.get("description") or None,
            default_branch=body.get("defaultBranch") or services.DEFAULT_BRANCH,
            template=body.get("template"))
        return Response({"repository": repository}, status=status.HTTP_201_CREATED)


class RepositoryCloneView(RepositoryView):
    @extend_schema(summary="Clone a remote repository (credentials used once, never stored)",
                   operation_id="repos_clone", request=s.RepositoryCloneInput,
                   responses={201: s.RepositoryResponse,
                              **error_responses(400, 401, 403, 409, 413, 502, 504,
                                                e400="Invalid body or URL, refused credentials, unknown "
                                                     "remote repository or branch",
                                                e409="Repository already exists",
                                                e413="The remote repository is larger than the limit",
                                                e502="The remote repository could not be read",
                                                e504="The clone took too long")})
    def post(self, request):
        body = validated(s.RepositoryCloneInput, request)
        auth = body.get("auth") or {}
        repository = services.repository_clone(
            user=request.user, name=body["name"], url=body["url"], token=auth.get("token"),
            branch=body.get("branch"), depth=body.get("depth"), username=auth.get("username"),
            password=auth.get("password"))
        return Response({"repository": repository}, status=status.HTTP_201_CREATED)


class RepositoryDetailView(RepositoryView):
    @extend_schema(summary="A repository", operation_id="repos_get", parameters=[NAME],
                   responses={200: s.RepositoryResponse, **repo_errors()})
    def get(self, request, name):
        return Response({"repository": selectors.repository_get(user=request.user, name=name)})

    @extend_schema(summary="Delete a repository and its files", operation_id="repos_delete",
                   parameters=[NAME], responses={200: s.RepoSuccessResponse, **repo_errors(409)})
    def delete(self, request, name):
        services.repository_delete(user=request.user, name=name)
        return success("Repository deleted")


class RepositoryFilesView(RepositoryView):
    @extend_schema(summary="The entries of a directory at a ref", operation_id="repos_files_list",
                   parameters=[NAME, s.FilesQuery], responses={200: s.FileListResponse, **repo_errors()})
    def get(self, request, name):
        query = parse_query(s.FilesQuery, request)
        files = selectors.repository_files(user=request.user, name=name, path=query["path"], ref=query["ref"])
        return Response({"files": files, "path": query["path"], "ref": query["ref"]})


class RepositoryFileView(RepositoryView):
    @extend_schema(summary="A file's content at a ref (at HEAD, the working tree's too)",
                   operation_id="repos_file_get", parameters=[NAME, s.FileQuery],
                   responses={200: s.FileResponse, **repo_errors(413, e404=FILE_NOT_FOUND)})
    def get(self, request, name):
        query = parse_query(s.FileQuery, request)
        if not query.get("path"):
            raise InvalidRequest("Missing path query parameter")
        file = selectors.repository_file(user=request.user, name=name, path=query["path"], ref=query["ref"])
        return Response({"file": file})

    @extend_schema(summary="Write a file and stage it", operation_id="repos_file_write", parameters=[NAME],
                   request=s.FileWriteInput, responses={200: s.RepoSuccessResponse, **repo_errors(409, 413)})
    def put(self, request, name):
        body = validated(s.FileWriteInput, request)
        services.repository_file_write(user=request.user, name=name, path=body["path"],
                                       content=body["content"])
        return success("File written and staged")

    @extend_schema(summary="Delete a file and stage the deletion", operation_id="repos_file_delete",
                   parameters=[NAME], request=s.FileDeleteInput,
                   responses={200: s.RepoSuccessResponse, **repo_errors(409, e404=FILE_NOT_FOUND)})
    def delete(self, request, name):
        body = validated(s.FileDeleteInput, request)
        services.repository_file_delete(user=request.user, name=name, path=body["path"])
        return success("File deleted and staged")


class RepositoryStatusView(RepositoryView):
    @extend_schema(summary="Changed, staged and untracked files", operation_id="repos_status",
                   parameters=[NAME], responses={200: s.StatusResponse, **repo_errors()})
    def get(self, request, name):
        return Response({"files": selectors.repository_status(user=request.user, name=name)})


class RepositoryStageView(RepositoryView):
    @extend_schema(summary="Stage paths, or everything", operation_id="repos_stage", parameters=[NAME],
                   request=s.StageInput, responses={200: s.RepoSuccessResponse, **repo_errors(409)})
    def post(self, request, name):
        body = validated(s.StageInput, request)
        services.repository_stage(user=request.user, name=name, paths=body.get("paths"))
        return success("Files staged")


class RepositoryCommitView(RepositoryView):
    @extend_schema(summary="Commit the staged changes", operation_id="repos_commit_create", parameters=[NAME],
                   request=s.CommitInput, responses={200: s.CommitCreatedResponse, **repo_errors(409)})
    def post(self, request, name):
        body = validated(s.CommitInput, request)
        author = body.get("author")
        sha = services.repository_commit(user=request.user, name=name, message=body["message"],
                                         author=(author["name"], author["email"]) if author else None)
        return Response({"sha": sha, "message": "Commit created"})


class RepositoryLogView(RepositoryView):
    @extend_schema(summary="Commits reachable from a ref, newest first", operation_id="repos_log",
                   parameters=[NAME, s.LogQuery],
                   responses={200: s.LogResponse, **repo_errors(e404=f"{NOT_FOUND}, or ref not found")})
    def get(self, request, name):
        query = parse_query(s.LogQuery, request)
        commits = selectors.repository_log(user=request.user, name=name, ref=query["ref"],
                                           limit=query["limit"])
        return Response({"commits": commits})


class RepositoryCommitDetailView(RepositoryView):
    @extend_schema(summary="A commit", operation_id="repos_commit_get", parameters=[NAME, SHA],
                   responses={200: s.CommitDetailResponse,
                              **repo_errors(e404=f"{NOT_FOUND}, or commit not found")})
    def get(self, request, name, sha):
        return Response({"commit": selectors.repository_commit_get(user=request.user, name=name, sha=sha)})


class RepositoryBranchesView(RepositoryView):
    @extend_schema(summary="Local branches and the current one", operation_id="repos_branches_list",
                   parameters=[NAME], responses={200: s.BranchListResponse, **repo_errors()})
    def get(self, request, name):
        return Response(selectors.repository_branches(user=request.user, name=name))

    @extend_schema(summary="Create a branch at a ref (HEAD does not move)",
                   operation_id="repos_branches_create", parameters=[NAME], request=s.BranchCreateInput,
                   responses={200: s.RepoSuccessResponse,
                              **repo_errors(409, e404=f"{NOT_FOUND}, or ref not found",
                                            e409="Branch already exists, no commit yet, or repository busy")})
    def post(self, request, name):
        body = validated(s.BranchCreateInput, request)
        services.repository_branch_create(user=request.user, name=name, branch=body["name"],
                                          ref=body.get("ref"))
        return success(f"Branch '{body['name']}' created")


class RepositoryBranchView(RepositoryView):
    @extend_schema(summary="Delete a local branch (not the current one)",
                   operation_id="repos_branches_delete", parameters=[NAME, BRANCH],
                   responses={200: s.RepoSuccessResponse,
                              **repo_errors(409, e404=f"{NOT_FOUND}, or branch not found",
                                            e409="The current branch, or repository busy")})
    def delete(self, request, name, branch):
        services.repository_branch_delete(user=request.user, name=name, branch=branch)
        return success(f"Branch '{branch}' deleted")


class RepositoryCheckoutView(RepositoryView):
    @extend_schema(summary="Switch to a branch, or detach HEAD at a commit", operation_id="repos_checkout",
                   parameters=[NAME], request=s.CheckoutInput,
                   responses={200: s.RepoSuccessResponse,
                              **repo_errors(409, e404=f"{NOT_FOUND}, or ref not found",
                                            e409="Local changes would be overwritten, or repository busy")})
    def post(self, request, name):
        body = validated(s.CheckoutInput, request)
        services.repository_checkout(user=request.user, name=name, ref=body["ref"])
        return success(f"Checked out '{body['ref']}'")


class RepositoryDiffView(RepositoryView):
    @extend_schema(summary="Paths changed between two refs, or a ref and the working tree",
                   operation_id="repos_diff", parameters=[NAME, s.DiffQuery],
                   responses={200: s.DiffResponse, **repo_errors(e404=f"{NOT_FOUND}, or ref not found")})
    def get(self, request, name):
        query = parse_query(s.DiffQuery, request)
        diff = selectors.repository_diff(user=request.user, name=name, from_ref=query.get("from"),
                                         to_ref=query.get("to"))
        return Response({"diff": diff})
