"""kg.report"""
