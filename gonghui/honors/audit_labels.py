"""The audit log's words for honors (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "honors.campaign_create": "创建评选活动",
        "honors.nominate": "推荐",
        "honors.list_submit": "上报推荐名单",
        "honors.review_approve": "推荐对象审核通过",
        "honors.review_return": "退回推荐对象",
        "honors.review_reject": "推荐对象不予通过",
        "honors.publish": "公示拟表彰对象",
        "honors.objection": "登记公示异议",
        "honors.objection_upheld": "异议成立",
        "honors.objection_dismissed": "异议不成立",
        "honors.publication_close": "结束公示",
        "honors.announce": "公布评选结果",
        "honors.certificates_issue": "颁发荣誉证书",
        "honors.honor_record": "登记荣誉",
        "honors.attachment": "上传推荐材料",
        "honors.lecture": "登记劳模工匠宣讲",
        "honors.criteria": "设置评分项",
        "honors.score": "评审打分",
        "honors.conflict": "声明回避",
        "honors.lecture_update": "修改劳模工匠宣讲",
        "honors.lectures_export": "导出劳模工匠宣讲",
        "honors.allowance_standard": "设置劳模津贴标准",
        "honors.allowance_batch": "生成劳模津贴代发批次",
        "honors.demo": "载入评选表彰演示数据",
    },
    {
        "fields": "附加项数",
        "criteria": "评分项数",
        "total": "加权得分",
        "collective": "集体类型",
        "campaign": "评选活动",
        "nominations": "推荐人数",
        "awarded": "授予人数",
    },
)
