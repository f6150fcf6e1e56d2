"""The audit log's words for 技能竞赛 and 培训 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "skills.contest.create": "举办技能竞赛",
        "skills.event.add": "添加比赛项目",
        "skills.judge.add": "添加裁判",
        "skills.entry.register": "报名参赛",
        "skills.scores.enter": "录入竞赛成绩",
        "skills.score.resolve": "裁定不一致的成绩",
        "skills.contest.rank": "竞赛排名定奖",
        "skills.results.export": "导出竞赛成绩",
        "skills.scores.import": "导入竞赛成绩明细",
        "skills.scores.export": "导出竞赛成绩明细",
        "skills.class.create": "开办培训班",
        "skills.enrolment.add": "培训报名",
        "skills.enrolment.withdraw": "退出培训班",
        "skills.enrolment.promote": "候补转正",
        "skills.attendance.record": "培训签到",
        "skills.class.complete": "培训班结业",
        "skills.class.capacity": "调整培训班名额",
        "skills.income.record": "登记学员年收入",
        "skills.plan.set": "设定培训计划",
    },
    {
        "weights": "理论/实操权重",
        "parts": "实操考核内容数",
        "rule": "裁判评分合成方式",
        "enterprise": "所在单位",
        "number": "参赛编号",
        "scores": "成绩数",
        "mismatches": "不一致",
        "slot": "成绩位置",
        "contestants": "选手数",
        "awards": "获奖数",
        "present": "签到人数",
        "graduates": "结业人数",
        "trainee_times": "计划培训人次",
    },
)
