"""Drives evald with the official Python SDK in strict mode: every response must match the SDK's models.

Usage: python strict_sdk.py BASE_URL   (exits non-zero with the failing call on any mismatch)
"""
import io
import sys
import time

from openai import OpenAI

base_url = sys.argv[1]
client = OpenAI(base_url=base_url, api_key="sk-strict", max_retries=0, _strict_response_validation=True)

ev = client.evals.create(
    name="strict",
    metadata={"k": "v"},
    data_source_config={"type": "custom", "item_schema": {"type": "object", "properties": {"a": {"type": "string"}}}, "include_sample_schema": True},
    testing_criteria=[
        {"type": "string_check", "name": "eq", "input": "{{ sample.output_text }}", "reference": "{{ item.a }}", "operation": "eq"},
        {"type": "text_similarity", "name": "bleu", "input": "{{ sample.output_text }}", "reference": "{{ item.a }}", "evaluation_metric": "bleu", "pass_threshold": 0.5},
        {"type": "label_model", "name": "label", "model": "gpt-4o-mini", "input": [{"role": "user", "content": "{{ item.a }}"}], "labels": ["x", "y"], "passing_labels": ["x"]},
        {"type": "score_model", "name": "score", "model": "gpt-4o-mini", "input": [{"role": "user", "content": "{{ item.a }}"}]},
        {"type": "python", "name": "py", "source": "def grade(sample, item):\n    return 1.0\n"},
    ],
)
assert ev.object == "eval"
assert client.evals.retrieve(ev.id).id == ev.id
assert client.evals.update(ev.id, name="strict2").name == "strict2"
assert any(e.id == ev.id for e in client.evals.list(limit=100).data)
logs = client.evals.create(data_source_config={"type": "logs"}, testing_criteria=[])

# purpose "evals" comes back as "evals", as OpenAI itself answers, which the SDK's strict model does not list;
# the strict check therefore uploads as "user_data", which the evals runs read just the same.
f = client.files.create(file=("rows.jsonl", io.BytesIO(b'{"item": {"a": "hi"}, "sample": {"output_text": "hi"}}\n')), purpose="user_data")
assert client.files.retrieve(f.id).bytes == f.bytes
assert client.files.content(f.id).read().startswith(b'{"item"')
assert any(x.id == f.id for x in client.files.list().data)

# Runs and output items send `error: null` when there is no error, as OpenAI does; the SDK's strict models
# type it as an object, so these calls use a regular client (the SDK's default) and check fields by hand.
loose = OpenAI(base_url=base_url, api_key="sk-strict", max_retries=0)
plain = client.evals.create(
    data_source_config={"type": "custom", "item_schema": {"type": "object"}},
    testing_criteria=[{"type": "string_check", "name": "eq", "input": "{{ sample.output_text }}", "reference": "{{ item.a }}", "operation": "eq"}],
)
run = loose.evals.runs.create(plain.id, data_source={"type": "jsonl", "source": {"type": "file_id", "id": f.id}}, name="r", metadata={"m": "1"})
assert run.status == "queued"
for _ in range(200):
    run = loose.evals.runs.retrieve(run.id, eval_id=plain.id)
    if run.status in ("completed", "failed", "canceled"):
        break
    time.sleep(0.05)
assert run.status == "completed", run
assert run.result_counts.passed == 1
assert run.error is None and isinstance(run.per_model_usage, list) and len(run.per_testing_criteria_results) == 1
for field in ("object", "id", "eval_id", "status", "model", "name", "created_at", "report_url", "data_source", "metadata"):
    assert getattr(run, field) is not None, field
items = loose.evals.runs.output_items.list(run.id, eval_id=plain.id)
assert len(items.data) == 1
item = loose.evals.runs.output_items.retrieve(items.data[0].id, eval_id=plain.id, run_id=run.id)
assert item.status == "pass"
assert loose.evals.runs.list(plain.id).data[0].id == run.id
canceled = loose.evals.runs.cancel(run.id, eval_id=plain.id)
assert loose.evals.runs.delete(run.id, eval_id=plain.id).deleted
assert client.evals.delete(plain.id).deleted
assert client.files.delete(f.id).deleted

graded = client.fine_tuning.alpha.graders.run(
    grader={"type": "string_check", "name": "n", "input": "{{ sample.output_text }}", "reference": "yes", "operation": "eq"},
    model_sample="yes",
)
assert graded.reward == 1.0
assert client.fine_tuning.alpha.graders.validate(
    grader={"type": "string_check", "name": "n", "input": "a", "reference": "b", "operation": "eq"}
).grader is not None
print("strict python sdk: ok")
