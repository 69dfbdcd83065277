#!/usr/bin/env bash
# Start the API (several workers), the job worker, the scheduler and the sandbox; Ctrl-C stops them all.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
export API_PORT="${API_PORT:-8000}" SANDBOX_PORT="${SANDBOX_PORT:-8100}" API_WORKERS="${API_WORKERS:-2}"
mkdir -p var/log
pids=()
start() { local name=$1; shift; "$@" >"var/log/$name.log" 2>&1 & pids+=($!); }
stop() {
  trap - INT TERM EXIT
  echo; echo "正在停止…"
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  echo "已停止 API、任务进程、调度器、数据交换中继和沙箱。"
  exit 0
}
trap stop INT TERM EXIT

start sandbox $PY -m sandbox
start worker .venv/bin/taskiq worker app.worker:broker --workers 1
start scheduler .venv/bin/taskiq scheduler app.worker:scheduler
start api $PY -m app.main
start relay $PY -m app.relay

for i in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$API_PORT/healthz" >/dev/null && curl -sf "http://127.0.0.1:$SANDBOX_PORT/healthz" >/dev/null && break
  sleep 0.5
done
cat <<TXT

江门市保障性租赁住房管理平台 已启动
  管理端        http://127.0.0.1:$API_PORT/admin/
  API 文档      http://127.0.0.1:$API_PORT/docs
  健康检查      http://127.0.0.1:$API_PORT/healthz   就绪检查 http://127.0.0.1:$API_PORT/readyz
  沙箱（短信验证码等） http://127.0.0.1:$SANDBOX_PORT/sandbox/
  日志          var/log/{api,worker,scheduler,relay,sandbox}.log

演示账号（密码均为 Demo@2026）
  gov_admin        市住建局 业务主管（全部管理权限）
  gov_clerk        市住建局 普通业务人员
  pj_clerk         蓬江区住建局 普通业务人员
  builder_admin    江门市安居建设有限公司（建设单位主账号）
  operator_admin   江门市保障房运营管理有限公司（运营单位主账号）
  个人用户：440703199001011239 陈明 / 440704198506150025 李芳

按 Ctrl-C 停止全部服务。
TXT
wait -n "${pids[@]}"
echo "有进程意外退出，查看 var/log/ 下的日志。"
